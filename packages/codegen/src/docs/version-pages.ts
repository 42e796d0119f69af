/** The versions page and the changelog against an earlier version. */

import type { ElementChange, Impact, ProfileDiff } from '@mes-fhir/profile-model';
import type { ManifestProfile } from '../manifest.js';
import { code, frontMatter, table, text } from './mdx.js';
import { type Changelog, DOWNLOADS_DIR, PROFILE_DIR, type SiteInput } from './site-input.js';

export const STATUS: Record<string, string> = { draft: 'version de travail (draft)', active: 'publiée (active)', retired: 'retirée (retired)' };

/**
 * The versions page: this version (its package, FHIR version and status), the earlier version the
 * changelog compares with, and the packages the profiles are built on, each with its guide.
 */
export function versionsPage(input: SiteInput): string {
  const ours = input.packages?.[0];
  const status = input.manifest.profiles.map((p) => input.model.definition(p.url)?.status).find(Boolean) ?? 'draft';
  const log = input.changelog;
  const rows = [
    [
      ours ? `${code(ours.version)} (cette version)` : 'cette version',
      STATUS[status] ?? text(status),
      ours ? `[${text(`${ours.name}-${ours.version}.tgz`)}](pathname:///${DOWNLOADS_DIR}/${ours.name}-${ours.version}.tgz)` : '',
      log ? `[changements depuis ${text(log.since)}](changements.mdx)` : '',
    ],
    ...(log ? [[log.version ? code(log.version) : '', `référence du journal des changements : ${text(log.since)}`, code(log.baseline), '']] : []),
  ];
  return [
    frontMatter({ title: 'Versions', description: 'Versions des profils mes-fhir et paquets FHIR sur lesquels ils reposent' }),
    '# Versions',
    '',
    `Les profils de ce guide forment le paquet FHIR ${code(ours?.name ?? '')}${input.fhirVersion ? `, pour FHIR ${code(input.fhirVersion)}` : ''}. Chaque version publiée garde ses canoniques ; une application déclare dans ${code('meta.profile')} les canoniques MES, pas une version de ce guide.`,
    '',
    table(['Version', 'Statut', 'Paquet FHIR', 'Changements'], rows),
    '',
    '## Paquets sur lesquels reposent les profils',
    '',
    'Les versions que lit `npm run codegen` (dépendances de `fsh/sushi-config.yaml`, et le cœur FHIR) ; les jeux de valeurs NOS viennent avec nos profils.',
    '',
    table(
      ['Paquet', 'Version', 'Titre'],
      [
        ...(input.packages ?? []).slice(1).map((p) => [code(p.name), code(p.version), 'jeux de valeurs NOS de l’ANS (importés des fichiers SVS)']),
        ...(input.dependencies ?? []).map((d) => [
          code(d.name),
          code(d.version),
          d.canonical && /^https?:\/\//.test(d.canonical) ? `[${text(d.title ?? d.canonical)}](${d.canonical})` : text(d.title ?? ''),
        ]),
      ],
    ),
    '',
  ].join('\n');
}

/** The kinds of change of `diffProfiles`, as the changelog page names them. */
export const CHANGE_LABELS: Record<ElementChange['kind'], string> = {
  'profile-added': 'profil ajouté',
  'profile-removed': 'profil retiré',
  'element-added': 'élément ajouté',
  'element-removed': 'élément retiré',
  min: 'cardinalité minimale',
  max: 'cardinalité maximale',
  type: 'type',
  'target-profile': 'profil cible',
  fixed: 'valeur fixée',
  binding: 'liaison terminologique',
  constraint: 'invariant',
  slicing: 'découpage (slicing)',
  'must-support': 'must-support',
};

export const IMPACT_LABELS: Record<Impact, string> = {
  senders: 'cassant pour les émetteurs',
  receivers: 'cassant pour les récepteurs',
  compatible: 'compatible',
};

/**
 * The changelog: the profiles against a fixed earlier version (so the page is the same from one
 * codegen run to the next), as `mes-fhir diff` computes it.
 */
export function changelogPage(log: Changelog, ours: Map<string, ManifestProfile>): string {
  const total = (k: Impact) => log.diffs.reduce((n, d) => n + d.counts[k], 0);
  const title = (d: ProfileDiff) => {
    const p = ours.get(d.url);
    return p ? `[${text(p.title ?? p.id)}](${PROFILE_DIR}/${p.id}.mdx)` : code(d.url);
  };
  const out = [
    frontMatter({ title: 'Changements', sidebar_position: 99 }),
    '# Changements des profils',
    '',
    `Depuis ${text(log.since)} (${code(log.baseline)}) : ${log.diffs.length} profils modifiés ; changements : ${total('senders')} cassants pour les émetteurs, ${total('receivers')} cassants pour les récepteurs, ${total('compatible')} compatibles. Calculé par ${code('npm run codegen')} comme ${code('mes-fhir diff')} : un changement est cassant pour les émetteurs quand une ressource valide avant peut être refusée, pour les récepteurs quand ils peuvent recevoir ce qu'ils n'attendaient pas.`,
    '',
    table(
      ['Profil', 'Émetteurs', 'Récepteurs', 'Compatibles'],
      log.diffs.map((d) => [title(d), String(d.counts.senders), String(d.counts.receivers), String(d.counts.compatible)]),
    ),
  ];
  for (const d of log.diffs) {
    out.push('', `## ${text(ours.get(d.url)?.title ?? d.url.split('/').pop())}`, '', code(d.url), '');
    out.push(
      '<div className="element-table">',
      '',
      table(
        ['Élément', 'Changement', 'Avant', 'Après', 'Impact'],
        d.changes.map((c) => [
          code(c.element),
          CHANGE_LABELS[c.kind],
          c.before !== undefined ? code(c.before) : '',
          c.after !== undefined ? code(c.after) : '',
          IMPACT_LABELS[c.impact],
        ]),
      ),
      '',
      '</div>',
    );
  }
  return `${out.join('\n')}\n`;
}
