/**
 * The report as one self-contained HTML page, in French: a summary, one section per scenario with
 * its steps, and the exchanges they cite (folded). No script and nothing fetched, so it can be
 * mailed, attached to a "dossier de recettes" or served under a strict Content-Security-Policy.
 */
import { escapeMarkup } from '@mes-fhir/core';
import type { Exchange } from './exchange.js';
import type { Report, ScenarioResult } from './report.js';
import type { ScenarioStatus, StepStatus } from './scenario.js';

/** Longest body shown per exchange; the JSON report keeps what the database kept. */
const SHOWN_BODY = 20_000;

const STATUS_LABEL: Record<ScenarioStatus, string> = { passed: 'Prouvé', failed: 'Échec', 'not-exercised': 'Non exercé' };
const STEP_LABEL: Record<StepStatus, string> = { proven: 'prouvé', failed: 'échec', missing: 'manquant' };

const e = escapeMarkup;
const dateFr = (iso: string) => new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'medium' });

function body(value: unknown): string {
  if (value === undefined) return '<p class="empty">(aucun corps)</p>';
  const text = JSON.stringify(value, null, 2);
  const shown = text.length > SHOWN_BODY ? `${text.slice(0, SHOWN_BODY)}\n… (tronqué : ${text.length} caractères)` : text;
  return `<pre>${e(shown)}</pre>`;
}

function exchange(x: Exchange): string {
  return `<details id="echange-${x.seq}"><summary><code>#${x.seq}</code> ${e(dateFr(x.at))} — <code>${e(x.method)} ${e(x.url)}</code> → <strong>${x.status}</strong> (${x.durationMs} ms)${x.idPe ? ` · patient ${e(x.idPe)}` : ''}</summary>
<h4>Requête</h4>${body(x.requestBody)}
<h4>Réponse${x.responseType ? ` (${e(x.responseType)})` : ''}</h4>${body(x.responseBody)}
</details>`;
}

function scenario(s: ScenarioResult): string {
  const steps = s.steps
    .map(
      (step) =>
        `<li class="${step.status}"><span class="step">${STEP_LABEL[step.status]}</span> <strong>${e(step.title)}</strong> : ${e(step.detail)}${
          step.evidence.length ? ` <span class="refs">(échanges ${step.evidence.map((n) => `<a href="#echange-${n}">#${n}</a>`).join(', ')})</span>` : ''
        }</li>`,
    )
    .join('\n');
  return `<article id="${e(s.id)}" class="scenario ${s.status}">
<h3><span class="badge ${s.status}">${STATUS_LABEL[s.status]}</span> ${e(s.title)}</h3>
<p class="expect">${e(s.expectation)}</p>
<ol class="steps">
${steps}
</ol>
</article>`;
}

export function reportHtml(r: Report): string {
  const name = r.app.name ?? r.app.clientId;
  const apis = [...new Set(r.scenarios.map((s) => s.api))];
  const toc = r.scenarios
    .map(
      (s) =>
        `<tr><td><span class="badge ${s.status}">${STATUS_LABEL[s.status]}</span></td><td><a href="#${e(s.id)}">${e(s.title)}</a></td><td>${e(s.api)}</td></tr>`,
    )
    .join('\n');
  const period = r.recorded.from ? ` du ${e(dateFr(r.recorded.from))} au ${e(dateFr(r.recorded.to!))}` : '';
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recette Mon espace santé — ${e(name)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 64rem; padding: 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; } h3 { font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; } td { border-bottom: 1px solid #eee; padding: .3rem .5rem; vertical-align: top; }
.badge { border-radius: .3rem; color: #fff; display: inline-block; font-size: .8rem; font-weight: 600; min-width: 5.5rem; padding: .1rem .4rem; text-align: center; }
.badge.passed { background: #18753c; } .badge.failed { background: #ce0500; } .badge.not-exercised { background: #6a6a6a; }
.summary span { font-weight: 600; } .expect { color: #3a3a3a; }
.steps li.proven .step { color: #18753c; } .steps li.failed .step { color: #ce0500; } .steps li.missing .step { color: #6a6a6a; }
.step { font-size: .85rem; font-weight: 600; text-transform: uppercase; }
.note { background: #f6f6f6; border-left: 4px solid #000091; padding: .5rem 1rem; }
details { border: 1px solid #ddd; border-radius: .3rem; margin: .4rem 0; padding: .3rem .6rem; }
pre { background: #f6f6f6; max-height: 30rem; overflow: auto; padding: .5rem; white-space: pre-wrap; word-break: break-all; }
code { word-break: break-all; }
</style>
</head>
<body>
<header>
<h1>Recette Mon espace santé — ${e(name)}</h1>
<p>Application <code>${e(r.app.clientId)}</code>${r.app.oid ? ` (OID ${e(r.app.oid)})` : ''} · rapport du ${e(dateFr(r.generatedAt))} · ${r.recorded.exchanges} échange(s) enregistré(s)${period}.</p>
<p class="summary"><span>${r.summary.passed} prouvé(s)</span> · <span>${r.summary.failed} en échec</span> · <span>${r.summary['not-exercised']} non exercé(s)</span> sur ${r.summary.total} scénarios.</p>
<p class="note">Ce rapport dit ce que le bac à sable de mes-fhir a observé des appels de l’application. Il prépare les tests de connexion avec l’équipe de Mon espace santé ; il ne les remplace pas.</p>
</header>
<main>
<h2>Sommaire</h2>
<table>
${toc}
</table>
${apis
  .map(
    (api) =>
      `<section>\n<h2>${e(api)}</h2>\n${r.scenarios
        .filter((s) => s.api === api)
        .map(scenario)
        .join('\n')}\n</section>`,
  )
  .join('\n')}
<section>
<h2>Échanges cités</h2>
${r.evidence.length ? r.evidence.map(exchange).join('\n') : '<p>Aucun.</p>'}
</section>
</main>
</body>
</html>
`;
}
