/**
 * The report as JUnit XML, so that an app's CI can gate on it: one testcase per scenario, failed
 * ones as <failure>, the ones not exercised as <skipped>, each step in <system-out>.
 */
import { escapeMarkup } from '@mes-fhir/core';
import type { Report, ScenarioResult } from './report.js';

const e = escapeMarkup;

function steps(s: ScenarioResult): string {
  return s.steps
    .map(
      (step) => `[${step.status}] ${step.title} : ${step.detail}${step.evidence.length ? ` (échanges ${step.evidence.map((n) => `#${n}`).join(', ')})` : ''}`,
    )
    .join('\n');
}

function testcase(s: ScenarioResult): string {
  const first = s.steps.find((step) => step.status === (s.status === 'failed' ? 'failed' : 'missing'));
  const outcome =
    s.status === 'failed'
      ? `\n      <failure type="scenario" message="${e(`${first?.title ?? ''} : ${first?.detail ?? ''}`)}">${e(steps(s))}</failure>`
      : s.status === 'not-exercised'
        ? `\n      <skipped message="${e(`non exercé : ${first?.title ?? ''} : ${first?.detail ?? ''}`)}"/>`
        : '';
  return `    <testcase classname="mes.${e(
    s.api
      .normalize('NFD')
      .replace(/[^A-Za-z]+/g, '-')
      .toLowerCase(),
  )}" name="${e(`${s.id} — ${s.title}`)}" time="0">${outcome}
      <system-out>${e(steps(s))}</system-out>
    </testcase>`;
}

export function reportJunit(r: Report): string {
  const counts = `tests="${r.summary.total}" failures="${r.summary.failed}" errors="0" skipped="${r.summary['not-exercised']}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Recette Mon espace santé" ${counts} time="0">
  <testsuite name="${e(r.app.clientId)}" ${counts} timestamp="${e(r.generatedAt.slice(0, 19))}" time="0">
${r.scenarios.map(testcase).join('\n')}
  </testsuite>
</testsuites>
`;
}
