/**
 * The report of an app: each MES test scenario judged on its recorded exchanges, with the
 * exchanges that prove or disprove it. Rendered as HTML (report-html.ts), JUnit (report-junit.ts)
 * or given as this JSON.
 */
import type { Validator } from '@mes-fhir/validator';
import type { SandboxApp } from '../apps.js';
import { APIS } from '../apis/index.js';
import type { Queryable } from '../database.js';
import type { Exchange } from './exchange.js';
import { CROSS_API_SCENARIOS, PAIRING_SCENARIOS } from './common-scenarios.js';
import { recordedExchanges } from './recorder.js';
import { scenarioStatus, type Scenario, type ScenarioStatus, type Step } from './scenario.js';

export interface ScenarioResult {
  id: string;
  api: string;
  title: string;
  expectation: string;
  status: ScenarioStatus;
  steps: Step[];
}

export interface Report {
  app: { clientId: string; name?: string; oid?: string };
  generatedAt: string;
  recorded: { exchanges: number; from?: string; to?: string };
  summary: Record<ScenarioStatus, number> & { total: number };
  scenarios: ScenarioResult[];
  /** The exchanges the steps cite, in order. */
  evidence: Exchange[];
}

/** Every scenario, in the report's order: pairing, each API, then what they share. */
export function allScenarios(validator: Validator): Scenario[] {
  return [...PAIRING_SCENARIOS, ...APIS.flatMap((api) => api.scenarios(validator)), ...CROSS_API_SCENARIOS];
}

/** Judges each scenario on the app's exchanges (a judge that throws makes its scenario fail, never the report). */
export function gradeApp(app: Report['app'], exchanges: readonly Exchange[], scenarios: readonly Scenario[], now = new Date()): Report {
  const results = scenarios.map((s): ScenarioResult => {
    let steps: Step[];
    try {
      steps = s.judge(exchanges);
    } catch (e) {
      steps = [{ title: 'Jugement', status: 'failed', detail: `Le scénario n’a pas pu être jugé : ${(e as Error).message}`, evidence: [] }];
    }
    return { id: s.id, api: s.api, title: s.title, expectation: s.expectation, status: scenarioStatus(steps), steps };
  });
  const cited = new Set(results.flatMap((r) => r.steps.flatMap((s) => s.evidence)));
  const count = (status: ScenarioStatus) => results.filter((r) => r.status === status).length;
  return {
    app,
    generatedAt: now.toISOString(),
    recorded: { exchanges: exchanges.length, ...(exchanges.length ? { from: exchanges[0]!.at, to: exchanges.at(-1)!.at } : {}) },
    summary: { passed: count('passed'), failed: count('failed'), 'not-exercised': count('not-exercised'), total: results.length },
    scenarios: results,
    evidence: exchanges.filter((x) => cited.has(x.seq)),
  };
}

/** The report of a registered app (or of a client id the database recorded), from its recorded exchanges. */
export async function appReport(db: Queryable, validator: Validator, app: SandboxApp | { clientId: string }): Promise<Report> {
  const { clientId } = app;
  const name = 'name' in app ? app.name : undefined;
  const oid = 'oid' in app ? app.oid : undefined;
  return gradeApp({ clientId, ...(name ? { name } : {}), ...(oid ? { oid } : {}) }, await recordedExchanges(db, clientId), allScenarios(validator));
}
