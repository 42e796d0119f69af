// "Essayer un contenu": an editor pastes, drops or opens a FHIR resource (JSON or XML) and gets the
// verdict of `mes-fhir validate`: the validator itself runs in a Web Worker of this page
// (src/essayer/validator.worker.js), over the definitions the build publishes.
import React, { useEffect, useRef, useState } from 'react';
import Layout from '@theme/Layout';
import useBaseUrl from '@docusaurus/useBaseUrl';
import bodyWeight from '../../../generated/fhir/example/Observation-ExampleBodyWeight.json';

const SEVERITY_ORDER = { fatal: 0, error: 1, warning: 2, information: 3 };
const SEVERITY_LABEL = { fatal: 'fatale', error: 'erreur', warning: 'avertissement', information: 'information' };
const MESSAGE_ID = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id';

/** The issues of an OperationOutcome, errors first, then warnings, then information, each group in document order. */
function sortedIssues(outcome) {
  return outcome.issue
    .map((issue, n) => ({
      n,
      severity: issue.severity,
      location: issue.expression?.[0] ?? '',
      message: issue.details?.text ?? issue.diagnostics ?? '',
      id: issue.extension?.find((x) => x.url === MESSAGE_ID)?.valueString,
    }))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.n - b.n);
}

const plural = (n, word) => `${n} ${word}${n > 1 ? 's' : ''}`;

export default function Essayer() {
  const definitions = useBaseUrl('/essayer/definitions/');
  // asks the worker a question and resolves with its answer (set once the worker runs)
  const ask = useRef(null);
  const [profiles, setProfiles] = useState(null);
  const [loadFailure, setLoadFailure] = useState(null);
  const [text, setText] = useState(JSON.stringify(bodyWeight, null, 2));
  const [profile, setProfile] = useState('');
  const [running, setRunning] = useState(false);
  const [verdict, setVerdict] = useState(null);
  const [validations, setValidations] = useState(0);
  const picker = useRef(null);

  useEffect(() => {
    const w = new Worker(new URL('../essayer/validator.worker.js', import.meta.url));
    const base = new URL(definitions, window.location.href).href;
    const pending = new Map();
    let next = 0;
    w.onmessage = ({ data }) => {
      pending.get(data.id)?.(data);
      pending.delete(data.id);
    };
    ask.current = (message) =>
      new Promise((resolve) => {
        const id = ++next;
        pending.set(id, resolve);
        w.postMessage({ ...message, id, base });
      });
    // the definitions load while the reader looks at the page
    ask.current({}).then((answer) => (answer.failure ? setLoadFailure(answer.failure) : setProfiles(answer.profiles)));
    return () => w.terminate();
  }, [definitions]);

  const run = async () => {
    if (!ask.current || running) return;
    setRunning(true);
    const answer = await ask.current({ text, profile: profile || undefined });
    setRunning(false);
    setVerdict(answer);
    setValidations((n) => n + 1);
    if (!answer.failure && !profile && answer.declared?.length === 0) picker.current?.focus();
  };
  const open = async (file) => {
    if (file) setText(await file.text());
  };

  const issues = verdict?.outcome ? sortedIssues(verdict.outcome) : [];
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
  const warnings = issues.filter((i) => i.severity === 'warning').length;
  const checkedAgainst = profile || verdict?.declared?.[0];
  const profileTitle = (url) => profiles?.find((p) => p.url === url)?.title ?? url;
  return (
    <Layout title="Essayer un contenu" description="Valider une ressource FHIR contre les profils MES, dans le navigateur">
      <main className="container margin-vert--lg">
        <h1>Essayer un contenu</h1>
        <p>
          Collez, déposez ou ouvrez une ressource FHIR, en JSON ou en XML. Elle est validée dans votre navigateur par le validateur de{' '}
          <code>mes-fhir validate</code>, avec les mêmes définitions : le verdict est celui de la ligne de commande, et rien n'est envoyé. Les messages sont
          ceux du validateur, en anglais comme dans la CLI, chacun avec son identifiant (stable, à utiliser pour filtrer ou documenter une erreur).
        </p>
        <p className="essayer-loading" aria-live="polite">
          {loadFailure ? `Le validateur n'a pas pu être chargé : ${loadFailure}` : profiles ? '' : 'Chargement du validateur…'}
        </p>
        <div className="essayer-controls">
          <label htmlFor="essayer-profil">Profil : </label>
          <select id="essayer-profil" ref={picker} value={profile} onChange={(e) => setProfile(e.target.value)}>
            <option value="">celui que déclare meta.profile</option>
            {(profiles ?? []).map((p) => (
              <option key={p.url} value={p.url}>
                {p.title} ({p.type})
              </option>
            ))}
          </select>
          <label className="button button--secondary button--sm essayer-open">
            Ouvrir un fichier…
            <input type="file" accept=".json,.xml,application/fhir+json,application/fhir+xml" onChange={(e) => open(e.target.files?.[0])} hidden />
          </label>
        </div>
        <textarea
          aria-label="Ressource FHIR (JSON ou XML)"
          className="essayer-input"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            open(e.dataTransfer.files?.[0]);
          }}
        />
        <button className="button button--primary" type="button" onClick={run} disabled={!profiles || running}>
          {running ? 'Validation…' : 'Valider'}
        </button>
        <section className="essayer-result" data-validations={validations}>
          {verdict?.failure && (
            <p className="essayer-verdict essayer-invalid" role="status">
              Le validateur n'a pas pu répondre : {verdict.failure}
            </p>
          )}
          {verdict?.outcome && (
            <>
              <p className={`essayer-verdict ${errors === 0 ? 'essayer-valid' : 'essayer-invalid'}`} role="status">
                {errors === 0 ? 'Valide' : 'Invalide'} ({verdict.format === 'xml' ? 'XML' : 'JSON'}) : {plural(errors, 'erreur')},{' '}
                {plural(warnings, 'avertissement')}
                {checkedAgainst ? ` — profil ${profileTitle(checkedAgainst)}` : ''}
              </p>
              {!checkedAgainst && (
                <p className="essayer-note" role="note">
                  Cette ressource ne déclare aucun profil MES dans <code>meta.profile</code> : elle n'a été validée que contre sa définition FHIR de base.
                  Choisissez le profil à appliquer dans la liste « Profil » ci-dessus, puis validez de nouveau.
                </p>
              )}
              {issues.length > 0 && (
                <table className="essayer-issues">
                  <thead>
                    <tr>
                      <th>Sévérité</th>
                      <th>Emplacement</th>
                      <th>Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    {issues.map((i) => (
                      <tr key={i.n} className={`essayer-${i.severity}`} data-severity={i.severity} data-message-id={i.id ?? ''}>
                        <td>{SEVERITY_LABEL[i.severity] ?? i.severity}</td>
                        <td>
                          <code>{i.location}</code>
                        </td>
                        <td>
                          <span className="essayer-message">{i.message}</span>
                          {i.id && <code className="essayer-message-id">{i.id}</code>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </section>
      </main>
    </Layout>
  );
}
