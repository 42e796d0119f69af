/** The element tables of a profile or extension page: one row per element, with its constraints, bindings and invariants. */

import type { ElementNode, ProfileTree, StructureModel } from '@mes-fhir/profile-model';
import { code, table, text } from './mdx.js';
import type { Links } from './site-input.js';

export const STRENGTH: Record<string, string> = { required: 'requise', extensible: 'extensible', preferred: 'préférée', example: 'exemple' };

export function cardinality(n: ElementNode): string {
  return `${n.min}..${Number.isFinite(n.max) ? n.max : '*'}`;
}

export function typeText(n: ElementNode, link: Links, from: string): string {
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
export function elementRows(
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
export class CoreDefinitions {
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
export function shortDescription(n: ElementNode, core: CoreDefinitions | undefined): string {
  const short = n.def.short;
  if (!short) return '';
  return core && short === core.of(n.def.base?.path)?.short ? `<span lang="en">${text(short)}</span>` : text(short);
}

/**
 * An element's definition and comment, folded under its short description (the "all elements"
 * tab, as the guides' detailed descriptions): marked English (`lang="en"`) when they are R4's own.
 */
export function definitionDetails(n: ElementNode, core: CoreDefinitions): string {
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
export function markdownLinks(markdown: string, fromCore: boolean): string {
  return markdown.replace(/\[([^[\]]*)\]\(([^()[\]\s]*)\)/g, (link, label: string, target: string) =>
    /^https?:\/\//.test(target) ? link : fromCore && target ? `[${label}](${R4_SPEC}${target})` : label,
  );
}

export const R4_SPEC = 'https://hl7.org/fhir/R4/';

export function bindingRows(tree: ProfileTree, link: Links, from: string): string[][] {
  return [...tree.byId.values()]
    .filter((n) => n.binding?.valueSet)
    .map((n) => [
      code(n.sliceName ? `${n.path}:${n.sliceName}` : n.path),
      STRENGTH[n.binding!.strength] ?? text(n.binding!.strength),
      `[${text(n.binding!.valueSet!.split('|')[0]!.split('/').pop())}](${link.valueSet(n.binding!.valueSet!, from)})`,
    ]);
}

export function invariantRows(tree: ProfileTree): string[][] {
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

export const ELEMENT_HEADERS = ['Élément', 'Card.', 'Type', 'Contraintes', 'Description'];

/**
 * The elements of a profile in three tabs: what the profile itself changes (its differential),
 * the key elements (required or must-support, with the elements that lead to them), and the full
 * snapshot. Tables wrap to the page width (see custom.css).
 */
export function elementTabs(tree: ProfileTree, link: Links, from: string, definitions: CoreDefinitions): string[] {
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
