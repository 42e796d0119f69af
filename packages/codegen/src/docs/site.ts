/**
 * The generated part of the implementation guide: one MDX page per profile, extension, value set
 * and code system, and an index of the profiles by API. Pure: returns path → text.
 */
import { NOS_PACKAGE } from '@mes-fhir/fhir-packages';
import { FhirXml } from '@mes-fhir/xml';
import { jsonNames, type ElementChange, type ElementNode, type Impact, type ProfileDiff, type ProfileTree, type StructureModel } from '@mes-fhir/profile-model';
import type { Expansion, Terminology } from '@mes-fhir/terminology';
import type { BuilderExample } from './builder-examples.js';
import type { Manifest, ManifestProfile } from '../manifest.js';
import { code, fence, frontMatter, slug, table, text } from './mdx.js';

export interface SiteInput {
  manifest: Manifest;
  model: StructureModel;
  terminology: Terminology;
  /** Example file (manifest path) → its JSON. */
  examples: Map<string, Record<string, unknown>>;
  /** Profiles each example conforms to (decided by the caller with the validator). */
  exampleProfiles: Map<string, string[]>;
  /** The FHIR packages the site offers for download (ours, then the NOS value sets). */
  packages?: Array<{ name: string; version: string }>;
  /** Resources of a profile found only inside an example Bundle (profile url → entries and their example). */
  exampleExcerpts?: Map<string, Array<{ from: string; resource: Record<string, unknown> }>>;
  /** The official page of a definition that is not ours (package IG page), if known. */
  officialPage: (url: string) => string | undefined;
  /** The profiles against an earlier version (fhir-package.yaml `changelog`), for the changelog page. */
  changelog?: Changelog;
  /** The FHIR packages our profiles are built on, for the versions page. */
  dependencies?: Array<{ name: string; version: string; title?: string; canonical?: string }>;
  fhirVersion?: string;
  /** Profile type name → the `@example` of the builders that return it (read from their source). */
  builders?: Map<string, BuilderExample[]>;
}

export interface Changelog {
  /** The earlier version, as named in fhir-package.yaml. */
  since: string;
  baseline: string;
  /** The baseline package's version. */
  version?: string;
  diffs: ProfileDiff[];
}

/** A profile's MES API as the manifest records it (its FSH folder); '' for a profile outside one. */
type Api = string;
/** `mesures` → "API Mesures"; a profile outside an API folder goes under "Autres". */
const apiTitle = (api: Api) => (api ? `API ${api[0]!.toUpperCase()}${api.slice(1)}` : 'Autres');
const STRENGTH: Record<string, string> = { required: 'requise', extensible: 'extensible', preferred: 'préférée', example: 'exemple' };

const PROFILE_DIR = 'profils';
const EXTENSION_DIR = 'extensions';
const VALUESET_DIR = 'jeux-de-valeurs';
const CODESYSTEM_DIR = 'systemes-de-codes';
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
  for (const cs of manifest.codeSystems) {
    const view = input.terminology.codeSystem(cs.url);
    const concepts = view ? [...view.concepts.values()] : [];
    pages.set(
      `${CODESYSTEM_DIR}/${slug(cs.id)}.mdx`,
      [
        frontMatter({ title: cs.title ?? cs.id }),
        `# ${text(cs.title ?? cs.id)}`,
        '',
        `Canonique : ${code(cs.url)}`,
        '',
        text((view?.resource as { description?: string } | undefined)?.description ?? ''),
        '',
        table(
          ['Code', 'Libellé'],
          concepts.map((c) => [code(c.code), text(c.display)]),
        ),
        '',
      ].join('\n'),
    );
  }
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

function titleOfVs(input: SiteInput, url: string): string {
  const vs = input.terminology.valueSet(url) as { title?: string; name?: string } | undefined;
  return vs?.title ?? vs?.name ?? url.split('/').pop() ?? url;
}

type Links = {
  profile: (url: string, from: string) => string | undefined;
  valueSet: (url: string, from: string) => string;
  extension: (url: string, from: string) => string | undefined;
};

function chainLinks(input: SiteInput, url: string, link: Links, from: string): string {
  const chain = input.model.index.baseChain(url).slice(1);
  return chain
    .map((u) => {
      const sd = input.model.definition(u);
      const label = text(sd?.title ?? sd?.name ?? u.split('/').pop());
      const target = link.profile(u, from) ?? input.officialPage(u);
      return target ? `[${label}](${target})` : label;
    })
    .join(' → ');
}

function cardinality(n: ElementNode): string {
  return `${n.min}..${Number.isFinite(n.max) ? n.max : '*'}`;
}

function typeText(n: ElementNode, link: Links, from: string): string {
  return n.types
    .map((t) => {
      const name = t.code === 'http://hl7.org/fhirpath/System.String' ? 'string' : t.code;
      const profiles = t.profiles.map((p) => {
        const target = link.extension(p, from) ?? link.profile(p, from);
        return target ? `[${text(p.split('/').pop())}](${target})` : text(p.split('/').pop());
      });
      const targets = t.targetProfiles.map((p) => text(p.split('/').pop()));
      return `${text(name)}${profiles.length ? ` (${profiles.join(', ')})` : ''}${targets.length ? ` → ${targets.join(', ')}` : ''}`;
    })
    .join(', ');
}

/**
 * The element table: every snapshot element, or those a filter keeps (the differential, the key
 * elements) with every ancestor, greyed, so that indentation always shows the real parent.
 */
function elementRows(
  tree: ProfileTree,
  link: Links,
  from: string,
  keep: (n: ElementNode) => boolean = () => true,
  core?: CoreDefinitions,
  details = false,
): string[][] {
  const rows: string[][] = [];
  const shown = new Set<ElementNode>();
  for (const n of tree.byId.values()) if (keep(n)) for (let x: ElementNode | undefined = n; x && !shown.has(x); x = x.sliceOf ?? x.parent) shown.add(x);
  for (const n of tree.byId.values()) {
    if (!shown.has(n)) continue;
    const context = !keep(n);
    const depth = n.id.split('.').length - 1;
    const flags = [
      n.def.mustSupport ? 'MS' : '',
      n.def.isModifier ? '?!' : '',
      n.sliceName ? `tranche ${text(n.sliceName)}` : '',
      n.slicing ? `découpé (${text(n.slicing.discriminator.map((d) => `${d.type}:${d.path}`).join(', '))}, ${n.slicing.rules})` : '',
      n.fixed ? `${n.fixed.kind === 'fixed' ? 'fixe' : 'motif'} ${code(JSON.stringify(n.fixed.value))}` : '',
      // linked: the value set of a binding, and the invariants of the element (the rules every element carries left out)
      n.binding?.valueSet
        ? `liaison ${STRENGTH[n.binding.strength] ?? text(n.binding.strength)} [${text(n.binding.valueSet.split('|')[0]!.split('/').pop())}](${link.valueSet(n.binding.valueSet, from)})`
        : '',
      // (extension pages have no invariants section)
      ...(tree.sd.type === 'Extension' ? [] : n.constraints.filter((c) => !/^(ele|ext|dom)-\d+$/.test(c.key)).map((c) => `[${text(c.key)}](#invariants)`)),
    ].filter(Boolean);
    const name = n.sliceName ? `${n.name}:${n.sliceName}` : n.name;
    const label = code(depth === 0 ? n.path : name);
    rows.push([
      `${'&emsp;'.repeat(Math.max(0, depth - 1))}${context ? `<span className="element-context" title="inchangé, montré pour situer ses enfants">${label}</span>` : label}`,
      cardinality(n),
      typeText(n, link, from),
      context ? '' : flags.join(' ; '),
      `${shortDescription(n, core)}${details && core ? definitionDetails(n, core) : ''}`,
    ]);
  }
  return rows;
}

/**
 * The texts of the R4 core definitions, by element path (`Observation.code`, `Quantity.value`): an
 * element whose definition is still the core one says so, in English, as FHIR publishes it.
 */
class CoreDefinitions {
  private readonly byType = new Map<string, Map<string, { short?: string; definition?: string; comment?: string }>>();

  constructor(private readonly model: StructureModel) {}

  of(basePath: string | undefined): { short?: string; definition?: string; comment?: string } | undefined {
    if (!basePath) return undefined;
    const type = basePath.split('.')[0]!;
    let paths = this.byType.get(type);
    if (!paths) {
      paths = new Map();
      const sd = this.model.definition(`http://hl7.org/fhir/StructureDefinition/${type}`);
      for (const e of sd?.snapshot?.element ?? []) paths.set(e.path, { short: e.short, definition: e.definition, comment: e.comment });
      this.byType.set(type, paths);
    }
    return paths.get(basePath);
  }
}

/** An element's short description; R4's own is marked English, for screen readers and translators. */
function shortDescription(n: ElementNode, core: CoreDefinitions | undefined): string {
  const short = n.def.short;
  if (!short) return '';
  return core && short === core.of(n.def.base?.path)?.short ? `<span lang="en">${text(short)}</span>` : text(short);
}

/**
 * An element's definition and comment, folded under its short description (the "all elements"
 * tab, as the guides' detailed descriptions): marked English (`lang="en"`) when they are R4's own.
 */
function definitionDetails(n: ElementNode, core: CoreDefinitions): string {
  const { definition, comment } = n.def;
  if (!definition && !comment) return '';
  const base = core.of(n.def.base?.path);
  const paragraph = (label: string, value: string, fromCore: boolean) =>
    `<p${fromCore ? ' lang="en"' : ''}>${label ? `${label} : ` : ''}${markdownLinks(text(value), fromCore)}${fromCore ? ' <span lang="fr">(FHIR R4, en anglais)</span>' : ''}</p>`;
  return (
    ' <details className="element-definition"><summary>Définition</summary>' +
    (definition ? paragraph('', definition, definition === base?.definition) : '') +
    (comment ? paragraph('Commentaire', comment, comment === base?.comment) : '') +
    '</details>'
  );
}

/**
 * Links of a definition (markdown): R4's relative ones (`[extensions](extensibility.html)`) point
 * into the R4 specification; another guide's relative links lose their target (kept as text), as
 * its pages are not ours.
 */
function markdownLinks(markdown: string, fromCore: boolean): string {
  return markdown.replace(/\[([^[\]]*)\]\(([^()[\]\s]*)\)/g, (link, label: string, target: string) =>
    /^https?:\/\//.test(target) ? link : fromCore && target ? `[${label}](${R4_SPEC}${target})` : label,
  );
}
const R4_SPEC = 'https://hl7.org/fhir/R4/';

function bindingRows(tree: ProfileTree, link: Links, from: string): string[][] {
  return [...tree.byId.values()]
    .filter((n) => n.binding?.valueSet)
    .map((n) => [
      code(n.sliceName ? `${n.path}:${n.sliceName}` : n.path),
      STRENGTH[n.binding!.strength] ?? text(n.binding!.strength),
      `[${text(n.binding!.valueSet!.split('|')[0]!.split('/').pop())}](${link.valueSet(n.binding!.valueSet!, from)})`,
    ]);
}

function invariantRows(tree: ProfileTree): string[][] {
  const byKey = new Map<string, { node: ElementNode; c: ElementNode['constraints'][number]; paths: Set<string> }>();
  for (const n of tree.byId.values()) {
    for (const c of n.constraints) {
      const found = byKey.get(c.key);
      if (found) found.paths.add(n.path);
      else byKey.set(c.key, { node: n, c, paths: new Set([n.path]) });
    }
  }
  return [...byKey.values()].map(({ c, paths }) => [
    code(c.key),
    c.severity === 'error' ? 'erreur' : 'avertissement',
    text(c.human),
    code(c.expression ?? ''),
    paths.size > 3 ? `${paths.size} éléments` : [...paths].map(code).join(', '),
  ]);
}

/**
 * Resources a profile contains that must meet a profile defined elsewhere (the PhdDevice of the
 * feeding Bundle): what that profile requires, i.e. the elements of its differential that a
 * conforming resource must carry (required, with every ancestor required), and their fixed values.
 */
function targetProfileSections(input: SiteInput, tree: ProfileTree, own: Set<string>): string[] {
  const targets = new Map<string, string[]>();
  for (const n of tree.byId.values()) {
    for (const t of n.types) {
      for (const p of t.profiles) {
        if (own.has(p) || t.code === 'Extension' || input.model.definition(p)?.kind !== 'resource') continue;
        const at = n.sliceName ? `${n.path}:${n.sliceName}` : n.id;
        (targets.get(p) ?? targets.set(p, []).get(p)!).push(at);
      }
    }
  }
  const out: string[] = [];
  for (const [url, at] of [...targets].sort(([a], [b]) => a.localeCompare(b))) {
    const target = input.model.tree(url);
    if (!target) continue;
    const differential = new Set(((target.sd as { differential?: { element?: Array<{ id?: string }> } }).differential?.element ?? []).map((e) => e.id));
    const requiredInPractice = (n: ElementNode): boolean => n.min >= 1 && (!n.parent || n.parent === target.root || requiredInPractice(n.parent));
    const rows = [...target.byId.values()]
      .filter((n) => n !== target.root && differential.has(n.id) && requiredInPractice(n))
      .map((n) => [code(n.id.split('.').slice(1).join('.')), cardinality(n), n.fixed ? code(JSON.stringify(n.fixed.value)) : '', text(n.def.short)]);
    const official = input.officialPage(url);
    out.push(
      `## Profil ${text(target.sd.title ?? target.sd.name ?? url.split('/').pop())} exigé`,
      '',
      `${at.map(code).join(', ')} doit être conforme à ${official ? `[${code(url)}](${official})` : code(url)}. Ce que ce profil exige :`,
      '',
      table(['Élément', 'Card.', 'Valeur imposée', 'Description'], rows),
      '',
    );
  }
  return out;
}

const STATUS: Record<string, string> = { draft: 'version de travail (draft)', active: 'publiée (active)', retired: 'retirée (retired)' };

/**
 * The versions page: this version (its package, FHIR version and status), the earlier version the
 * changelog compares with, and the packages the profiles are built on, each with its guide.
 */
function versionsPage(input: SiteInput): string {
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
const CHANGE_LABELS: Record<ElementChange['kind'], string> = {
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

const IMPACT_LABELS: Record<Impact, string> = { senders: 'cassant pour les émetteurs', receivers: 'cassant pour les récepteurs', compatible: 'compatible' };

/**
 * The changelog: the profiles against a fixed earlier version (so the page is the same from one
 * codegen run to the next), as `mes-fhir diff` computes it.
 */
function changelogPage(log: Changelog, ours: Map<string, ManifestProfile>): string {
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

const ELEMENT_HEADERS = ['Élément', 'Card.', 'Type', 'Contraintes', 'Description'];

/**
 * The elements of a profile in three tabs: what the profile itself changes (its differential),
 * the key elements (required or must-support, with the elements that lead to them), and the full
 * snapshot. Tables wrap to the page width (see custom.css).
 */
function elementTabs(tree: ProfileTree, link: Links, from: string, definitions: CoreDefinitions): string[] {
  const differential = new Set(((tree.sd as { differential?: { element?: Array<{ id?: string }> } }).differential?.element ?? []).map((e) => e.id));
  const key = new Set<ElementNode>();
  for (const n of tree.byId.values()) {
    if (n === tree.root || !(n.min > 0 || n.def.mustSupport)) continue;
    for (let x: ElementNode | undefined = n; x && x !== tree.root; x = x.sliceOf ?? x.parent) key.add(x);
  }
  const tab = (value: string, label: string, rows: string[][], isDefault = false) => [
    `<TabItem value="${value}" label="${label}"${isDefault ? ' default' : ''}>`,
    '',
    '<div className="element-table">',
    '',
    rows.length ? table(ELEMENT_HEADERS, rows) : '_Aucun élément._',
    '',
    '</div>',
    '',
    '</TabItem>',
  ];
  return [
    '<Tabs groupId="elements">',
    ...tab(
      'differentiel',
      'Ce que le profil change',
      elementRows(tree, link, from, (n) => n === tree.root || differential.has(n.id), definitions),
      true,
    ),
    ...tab(
      'cles',
      'Éléments clés',
      elementRows(tree, link, from, (n) => n === tree.root || key.has(n), definitions),
    ),
    ...tab('complet', 'Tous les éléments', elementRows(tree, link, from, undefined, definitions, true)),
    '</Tabs>',
    '',
  ];
}

/** `own`: the urls of our profiles and extensions (their pages are ours, not "required elsewhere"). */
function profilePage(input: SiteInput, p: ManifestProfile, position: number, link: Links, api: Api, own: Set<string>, core: CoreDefinitions): string {
  const tree = input.model.tree(p.url)!;
  const from = '../';
  const name = tree.sd.name ?? p.id;
  const examples = [...input.exampleProfiles]
    .filter(([, profiles]) => profiles.includes(p.url))
    .map(([file]) => file)
    .sort();
  const out: string[] = [
    frontMatter({ title: p.title ?? p.id, sidebar_position: position + 1, description: `${apiTitle(api)} — ${p.title ?? p.id}` }),
    "import Tabs from '@theme/Tabs';",
    "import TabItem from '@theme/TabItem';",
    '',
    `# ${text(p.title ?? p.id)}`,
    '',
    text(tree.sd.description),
    '',
    table(
      ['', ''],
      [
        ['Canonique', code(p.url)],
        ...(p.mesCanonical ? [['Canonique MES (meta.profile)', code(p.mesCanonical)]] : []),
        ['Ressource', code(p.type)],
        ['API', apiTitle(api)],
        ['Parents', chainLinks(input, p.url, link, from)],
        ['Télécharger', downloadLinks(p.file)],
      ],
    ),
    '',
    '## Éléments',
    '',
    ...elementTabs(tree, link, from, core),
    '## Terminologies liées',
    '',
    table(['Élément', 'Force', 'Jeu de valeurs'], bindingRows(tree, link, from)),
    '',
    '## Invariants',
    '',
    table(['Clé', 'Sévérité', 'Règle', 'FHIRPath', 'Sur'], invariantRows(tree)),
    '',
    ...targetProfileSections(input, tree, own),
    '## Exemples',
    '',
  ];
  const excerpts = examples.length ? [] : (input.exampleExcerpts?.get(p.url) ?? []);
  if (examples.length === 0 && excerpts.length === 0) out.push('_Aucun exemple._');
  for (const file of examples) {
    const json = input.examples.get(file)!;
    const name = file.replace('example/', '');
    out.push(`### ${text(String(json.id ?? file))}`, '', ...formats(input, json, name));
  }
  for (const { from: file, resource } of excerpts) {
    const bundle = String(input.examples.get(file)?.id ?? file);
    out.push(
      `### ${text(String(resource.id ?? bundle))}`,
      '',
      `Une entrée de l'exemple ${text(bundle)}.`,
      '',
      fence('json', JSON.stringify(resource, null, 2)),
      '',
    );
  }
  // the builders that return this profile's type, as their @example writes them; else only the type
  const [first, ...others] = input.builders?.get(name) ?? [];
  const entry = first?.module ?? `@mes-fhir/profiles${p.api ? `/${p.api}` : ''}`;
  out.push(
    '## TypeScript',
    '',
    `Type généré : ${code(name)} ; schéma zod : ${code(`${name}Schema`)} (module ${code(entry)}).`,
    '',
    fence(
      'ts',
      [
        `import { ${first ? `${first.builder}, ` : ''}type ${name} } from '${entry}';`,
        "import { checkResource } from '@mes-fhir/profiles';",
        '',
        ...(first ? [`const resource: ${name} = ${first.example};`] : [`declare const resource: ${name};`]),
        ...others.map((o) => `// ou : ${o.example}`),
        `const { valid, issues } = checkResource(resource, ${JSON.stringify(p.url)});`,
      ].join('\n'),
    ),
    '',
    'Validation complète (OperationOutcome) :',
    '',
    fence('bash', `npx mes-fhir validate ressource.json --profile ${p.url}`),
    '',
  );
  return out.join('\n');
}

function extensionPage(input: SiteInput, tree: ProfileTree, link: Links, core: CoreDefinitions): string {
  const sd = tree.sd as typeof tree.sd & { context?: Array<{ type: string; expression: string }> };
  const valueTypes = [...tree.byId.values()]
    .filter((n) => n.path === 'Extension.value[x]' && !n.sliceName && n.max > 0)
    .flatMap((n) => jsonNames(n).map((v) => v.name));
  const official = input.officialPage(sd.url);
  const ownExtension = input.manifest.extensions.find((e) => e.url === sd.url);
  return [
    frontMatter({ title: sd.title ?? sd.name ?? sd.id ?? sd.url }),
    `# ${text(sd.title ?? sd.name ?? sd.id)}`,
    '',
    text(sd.description),
    '',
    table(
      ['', ''],
      [
        ['Canonique', code(sd.url)],
        ...(ownExtension ? [['Télécharger', downloadLinks(ownExtension.file)]] : []),
        ['Contexte', (sd.context ?? []).map((c) => code(c.expression)).join(', ')],
        ['Valeur', valueTypes.map(code).join(', ') || 'extension complexe'],
        ...(official ? [['Page officielle', `[${text(official)}](${official})`]] : []),
      ],
    ),
    '',
    '## Éléments',
    '',
    table(['Élément', 'Card.', 'Type', 'Contraintes', 'Description'], elementRows(tree, link, '../', undefined, core, true)),
    '',
    '## Terminologies liées',
    '',
    table(['Élément', 'Force', 'Jeu de valeurs'], bindingRows(tree, link, '../')),
    '',
  ].join('\n');
}

/** Why a value set cannot be listed, in French, the url concerned in code (never auto-linked with its escapes). */
function whyNotExpanded(failure: Extract<Expansion, { ok: false }>): string {
  const about = code(failure.about);
  switch (failure.reason) {
    case 'not-found':
      return failure.about === failure.url
        ? `ce jeu de valeurs n'est publié dans aucun des paquets chargés (pour le NOS, il manque aux fichiers SVS fournis).`
        : `il importe ${about}, qui n'est publié dans aucun des paquets chargés.`;
    case 'external-system':
      return `il prend tous les codes de ${about}, une terminologie externe (LOINC, SNOMED CT, une TRE complète du NOS…) qui n'est pas disponible hors ligne ; chaque code reste vérifié à la validation quand c'est possible.`;
    case 'incomplete-code-system':
      return `le système de codes ${about} n'est chargé qu'en partie (sans tous ses codes) ; chaque code reste vérifié à la validation quand c'est possible.`;
    case 'unsupported-filter':
      return `un filtre sur ${about} n'est pas pris en charge hors ligne.`;
    case 'too-large':
      return `il compte plus de codes que la limite d'une expansion (\`mes-fhir expand\` les liste).`;
    case 'cycle':
    case 'too-deep':
      return `ses imports de jeux de valeurs bouclent ou sont trop profonds (${about}).`;
  }
}

/** An example in JSON and in FHIR XML, one tab each (the XML as @mes-fhir/xml writes it from the definitions). */
function formats(input: SiteInput, json: Record<string, unknown>, name: string): string[] {
  let xml: string | undefined;
  try {
    xml = new FhirXml(input.model).toXml(json);
  } catch {
    xml = undefined; // not a resource the definitions know: JSON only
  }
  if (!xml) return [fence('json', JSON.stringify(json, null, 2), name), ''];
  return [
    `<Tabs groupId="format">`,
    `<TabItem value="json" label="JSON" default>`,
    '',
    fence('json', JSON.stringify(json, null, 2), name),
    '',
    '</TabItem>',
    `<TabItem value="xml" label="XML">`,
    '',
    fence('xml', xml, name.replace(/\.json$/, '.xml')),
    '',
    '</TabItem>',
    '</Tabs>',
    '',
  ];
}

/**
 * Links to an artifact of ours in JSON and XML, and to the FHIR packages: files the site's
 * downloads plugin writes into the build (docs-site/plugins/downloads.js), so `pathname://` (not
 * pages, never bundled).
 */
export const DOWNLOADS_DIR = 'telechargements';
function downloadLinks(file: string): string {
  const json = file.split('/').pop()!;
  return `[JSON](pathname:///${DOWNLOADS_DIR}/${json}) · [XML](pathname:///${DOWNLOADS_DIR}/${json.replace(/\.json$/, '.xml')})`;
}

/** Where a value set comes from, for readers: our FSH, the NOS value sets, or a dependency package. */
function sourceOf(layer: string): string {
  if (layer === 'generated') return 'profils mes-fhir (FSH)';
  if (layer.startsWith(`${NOS_PACKAGE}#`)) return `NOS, fichiers SVS de l'ANS (paquet ${code(layer)})`;
  return `paquet ${code(layer)}`;
}

function valueSetPage(input: SiteInput, url: string, usedBy: Set<string>, ours: Map<string, ManifestProfile>): string {
  const vs = input.terminology.valueSet(url) as (ReturnType<Terminology['valueSet']> & { title?: string; name?: string; description?: string }) | undefined;
  const title = vs ? titleOfVs(input, url) : (url.split('/').pop() ?? url);
  const out: string[] = [frontMatter({ title }), `# ${text(title)}`, '', `Canonique : ${code(url)}`, ''];
  const entry = input.terminology.index.findEntryOfType(url, 'ValueSet');
  if (entry) out.push(`Version : ${entry.version ? code(entry.version) : 'non précisée'} · Source : ${sourceOf(entry.source)}`, '');
  if (vs?.description) out.push(text(vs.description), '');
  if (usedBy.size) {
    out.push(
      'Utilisé par : ' +
        [...usedBy]
          .sort()
          .map((u) => `[${text(ours.get(u)?.title ?? u)}](../${PROFILE_DIR}/${ours.get(u)?.id}.mdx)`)
          .join(', '),
      '',
    );
  }
  const expansion = input.terminology.expand(url);
  out.push('## Expansion', '');
  if (!expansion.ok) out.push(`Liste des codes indisponible hors ligne : ${whyNotExpanded(expansion)}`, '');
  else if (expansion.concepts.length > 1000) out.push(`${expansion.concepts.length} concepts : trop pour cette page (\`mes-fhir expand ${url}\`).`, '');
  else
    out.push(
      `${expansion.concepts.length} concept(s).`,
      '',
      table(
        ['Système', 'Code', 'Libellé'],
        expansion.concepts.map((c) => [code(c.system), code(c.code), text(c.display)]),
      ),
      '',
    );
  return out.join('\n');
}
