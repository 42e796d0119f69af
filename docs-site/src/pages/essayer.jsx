// "Essayer un contenu": an editor pastes or drops a FHIR JSON resource and sees the verdict of
// @mes-fhir/profiles (zod schema, FHIRPath invariants, CDA cross-check) computed in the browser.
import React, { useMemo, useState } from 'react';
import Layout from '@theme/Layout';
import { checkResource, findProfile, profiles } from '@mes-fhir/profiles';
import bodyWeight from '../../../generated/fhir/example/Observation-ExampleBodyWeight.json';

const choices = Object.values(profiles)
  .map((p) => ({ url: p.url, title: p.title ?? p.url.split('/').pop() }))
  .sort((a, b) => a.title.localeCompare(b.title, 'fr'));

function verdictOf(text, profile) {
  let resource;
  try {
    resource = JSON.parse(text);
  } catch (e) {
    return { parseError: `JSON invalide : ${e.message}` };
  }
  const entry = profile ? findProfile(profile) : undefined;
  const result = checkResource(resource, entry ?? undefined);
  return { result };
}

export default function Essayer() {
  const [text, setText] = useState(JSON.stringify(bodyWeight, null, 2));
  const [profile, setProfile] = useState('');
  const [verdict, setVerdict] = useState(null);
  const run = () => setVerdict(verdictOf(text, profile));
  const onDrop = async (event) => {
    event.preventDefault();
    const file = event.dataTransfer.files?.[0];
    if (file) setText(await file.text());
  };
  const issues = verdict?.result?.issues ?? [];
  const errors = useMemo(() => issues.filter((i) => i.severity === 'error').length, [issues]);
  return (
    <Layout title="Essayer un contenu" description="Vérifier une ressource FHIR contre les profils MES, dans le navigateur">
      <main className="container margin-vert--lg">
        <h1>Essayer un contenu</h1>
        <p>
          Collez ou déposez une ressource FHIR (JSON). La vérification se fait dans votre navigateur avec <code>@mes-fhir/profiles</code> (schéma, invariants,
          document CDA joint) : rien n'est envoyé.
        </p>
        <label htmlFor="essayer-profil">Profil : </label>
        <select id="essayer-profil" value={profile} onChange={(e) => setProfile(e.target.value)}>
          <option value="">celui que déclare meta.profile</option>
          {choices.map((c) => (
            <option key={c.url} value={c.url}>
              {c.title}
            </option>
          ))}
        </select>
        <textarea
          aria-label="Ressource FHIR (JSON)"
          className="essayer-input"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onDragOver={(e) => e.preventDefault()}
          onDrop={onDrop}
        />
        <button className="button button--primary" type="button" onClick={run}>
          Vérifier
        </button>
        {verdict?.parseError && (
          <p className="essayer-verdict essayer-invalid" role="status">
            {verdict.parseError}
          </p>
        )}
        {verdict?.result && (
          <>
            <p className={`essayer-verdict ${verdict.result.valid ? 'essayer-valid' : 'essayer-invalid'}`} role="status">
              {verdict.result.valid ? 'Valide' : `Invalide : ${errors} erreur(s)`}
              {verdict.result.profile ? ` — profil ${verdict.result.profile}` : ''}
            </p>
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
                  {issues.map((i, n) => (
                    <tr key={n}>
                      <td>{i.severity === 'error' ? 'erreur' : 'avertissement'}</td>
                      <td>
                        <code>{i.location}</code>
                      </td>
                      <td>{i.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </main>
    </Layout>
  );
}
