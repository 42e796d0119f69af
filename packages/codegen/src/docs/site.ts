/**
 * The generated part of the implementation guide: one MDX page per profile, extension, value set
 * and code system, and an index of the profiles by API. Pure: returns path → text. The pages are
 * written by the modules beside this one (profile, terminology and version pages, element tables).
 */

import type { ProfileTree } from '@mes-fhir/profile-model';
import type { ManifestProfile } from '../manifest.js';
import { CoreDefinitions } from './element-table.js';
import { code, frontMatter, slug, table, text } from './mdx.js';
import { extensionPage, profilePage } from './profile-pages.js';
import { type Api, apiTitle, CODESYSTEM_DIR, DOWNLOADS_DIR, EXTENSION_DIR, PROFILE_DIR, type SiteInput, VALUESET_DIR } from './site-input.js';
import { codeSystemPage, titleOfVs, valueSetPage } from './terminology-pages.js';
import { changelogPage, versionsPage } from './version-pages.js';

/** The reference sidebar, grouped by API (a file name Docusaurus never takes for a page). */
export const SIDEBAR_FILE = '_sidebar.json';

export function generateSite(input: SiteInput): Map<string, string> {
  const pages = new Map<string, string>();
  const { manifest, model } = input;
  const ours = new Map(manifest.profiles.map((p) => [p.url, p]));
  const ownValueSets = new Map(manifest.valueSets.map((v) => [v.url, v]));

  // Extensions and value sets the profiles use, each with its own page.
  const extensions = new Map<string, ProfileTree>();
  const valueSets = new Map<string, { usedBy: Set<string> }>();
  for (const p of manifest.profiles) {
    const tree = model.tree(p.url)!;
    for (const node of tree.byId.values()) {
      for (const t of node.types) {
        if (t.code === 'Extension')
          for (const url of t.profiles) {
            const ext = model.tree(url);
            if (ext) extensions.set(url, ext);
          }
      }
      const vs = node.binding?.valueSet?.split('|')[0];
      if (vs) (valueSets.get(vs) ?? valueSets.set(vs, { usedBy: new Set() }).get(vs)!).usedBy.add(p.url);
    }
  }
  for (const ext of extensions.values()) {
    for (const node of ext.byId.values()) {
      const vs = node.binding?.valueSet?.split('|')[0];
      if (vs && !valueSets.has(vs)) valueSets.set(vs, { usedBy: new Set() });
    }
  }
  for (const v of manifest.valueSets) if (!valueSets.has(v.url)) valueSets.set(v.url, { usedBy: new Set() });
  const vsSlug = (url: string) => slug(ownValueSets.get(url)?.id ?? input.terminology.valueSet(url)?.url?.split('/').pop() ?? url.split('/').pop() ?? url);
  const link = {
    profile: (url: string, from: string) => (ours.has(url) ? `${from}${PROFILE_DIR}/${ours.get(url)!.id}.mdx` : undefined),
    valueSet: (url: string, from: string) => `${from}${VALUESET_DIR}/${vsSlug(url.split('|')[0]!)}.mdx`,
    extension: (url: string, from: string) => (extensions.has(url) ? `${from}${EXTENSION_DIR}/${slug(extensions.get(url)!.sd.id ?? url)}.mdx` : undefined),
  };

  const apiOf = (p: ManifestProfile): Api => p.api ?? '';
  // APIs in name order, then the profiles outside any
  const apis = [...new Set(manifest.profiles.map(apiOf))].sort((a, b) => Number(!a) - Number(!b) || a.localeCompare(b));

  // Index ---------------------------------------------------------------------------------
  const byApi = new Map<Api, ManifestProfile[]>();
  for (const p of manifest.profiles) byApi.set(apiOf(p), [...(byApi.get(apiOf(p)) ?? []), p]);
  const index: string[] = [
    frontMatter({ title: 'Référence', sidebar_position: 1, slug: '/reference' }),
    '# Référence des profils',
    '',
    `Profils, extensions, jeux de valeurs et systèmes de codes générés depuis \`fsh/\` par \`npm run codegen\` (FHIR ${text(manifest.fhirVersion)}, canonique ${code(manifest.canonical)}). Dépendances : ${manifest.dependencies.map(code).join(', ')}.`,
  ];
  for (const api of apis) {
    const list = byApi.get(api) ?? [];
    index.push('', `## ${apiTitle(api)}`, '');
    index.push(
      table(
        ['Profil', 'Ressource', 'Canonique MES', 'Parent'],
        list.map((p) => [
          `[${text(p.title ?? p.id)}](${PROFILE_DIR}/${p.id}.mdx)`,
          code(p.type),
          p.mesCanonical ? code(p.mesCanonical.split('/').pop()) : '',
          code(p.parent.split('/').pop()),
        ]),
      ),
    );
  }
  index.push(
    '',
    '## Extensions utilisées',
    '',
    table(
      ['Extension', 'Canonique'],
      [...extensions.values()]
        .sort((a, b) => a.sd.url.localeCompare(b.sd.url))
        .map((t) => [`[${text(t.sd.title ?? t.sd.name ?? t.sd.id)}](${link.extension(t.sd.url, '')})`, code(t.sd.url)]),
    ),
  );
  index.push(
    '',
    '## Jeux de valeurs',
    '',
    table(
      ['Jeu de valeurs', 'Canonique'],
      [...valueSets.keys()]
        .sort()
        .map((url) => [`[${text(input.terminology.valueSet(url)?.url ? titleOfVs(input, url) : url.split('/').pop())}](${link.valueSet(url, '')})`, code(url)]),
    ),
  );
  index.push(
    '',
    '## Systèmes de codes',
    '',
    table(
      ['Système de codes', 'Canonique'],
      manifest.codeSystems.map((c) => [`[${text(c.title ?? c.id)}](${CODESYSTEM_DIR}/${slug(c.id)}.mdx)`, code(c.url)]),
    ),
  );
  if (input.packages?.length)
    index.push(
      '',
      `Paquets FHIR, pour SUSHI, le validateur HL7 ou l'IG Publisher : ${input.packages
        .map((p) => `[${text(`${p.name}-${p.version}.tgz`)}](pathname:///${DOWNLOADS_DIR}/${p.name}-${p.version}.tgz)`)
        .join(', ')} ; chaque profil et extension se télécharge aussi en JSON et en XML depuis sa page.`,
    );
  if (input.changelog) {
    index.splice(4, 0, '', `Ce qui a changé depuis ${text(input.changelog.since)} : [changements](changements.mdx).`);
    pages.set('changements.mdx', changelogPage(input.changelog, ours));
  }
  pages.set('versions.mdx', versionsPage(input));
  pages.set('index.mdx', `${index.join('\n')}\n`);

  // Profiles ------------------------------------------------------------------------------
  const own = new Set([...manifest.profiles, ...manifest.extensions].map((p) => p.url));
  const core = new CoreDefinitions(model);
  manifest.profiles.forEach((p, position) => pages.set(`${PROFILE_DIR}/${p.id}.mdx`, profilePage(input, p, position, link, apiOf(p), own, core)));

  // Extensions ----------------------------------------------------------------------------
  for (const [url, tree] of [...extensions].sort(([a], [b]) => a.localeCompare(b))) {
    pages.set(`${EXTENSION_DIR}/${slug(tree.sd.id ?? url)}.mdx`, extensionPage(input, tree, link, core));
  }
  pages.set(`${EXTENSION_DIR}/_category_.json`, categoryJson('Extensions', 3));

  // Value sets ----------------------------------------------------------------------------
  for (const [url, { usedBy }] of [...valueSets].sort(([a], [b]) => a.localeCompare(b))) {
    pages.set(`${VALUESET_DIR}/${vsSlug(url)}.mdx`, valueSetPage(input, url, usedBy, ours));
  }
  pages.set(`${VALUESET_DIR}/_category_.json`, categoryJson('Jeux de valeurs', 4));

  // Code systems --------------------------------------------------------------------------
  for (const cs of manifest.codeSystems) pages.set(`${CODESYSTEM_DIR}/${slug(cs.id)}.mdx`, codeSystemPage(input, cs));
  pages.set(`${CODESYSTEM_DIR}/_category_.json`, categoryJson('Systèmes de codes', 5));

  // The reference sidebar (docs-site/sidebars.js reads it): profiles grouped by API, then the
  // folders of the other artifacts.
  const doc = (path: string) => `reference/${path.replace(/\.mdx$/, '')}`;
  const folder = (label: string, dir: string) =>
    [...pages.keys()].some((k) => k.startsWith(`${dir}/`) && k.endsWith('.mdx'))
      ? [{ type: 'category', label, items: [{ type: 'autogenerated', dirName: `reference/${dir}` }] }]
      : [];
  const sidebar = [
    doc('index.mdx'),
    ...apis.map((api) => ({ type: 'category', label: apiTitle(api), collapsed: false, items: byApi.get(api)!.map((p) => doc(`${PROFILE_DIR}/${p.id}.mdx`)) })),
    ...folder('Extensions', EXTENSION_DIR),
    ...folder('Jeux de valeurs', VALUESET_DIR),
    ...folder('Systèmes de codes', CODESYSTEM_DIR),
    ...(pages.has('changements.mdx') ? [doc('changements.mdx')] : []),
    doc('versions.mdx'),
  ];
  pages.set(SIDEBAR_FILE, `${JSON.stringify(sidebar, null, 2)}\n`);
  return pages;
}

const categoryJson = (label: string, position: number) => `${JSON.stringify({ label, position }, null, 2)}\n`;
