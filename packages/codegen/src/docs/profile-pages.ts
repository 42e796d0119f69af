/** The page of a profile and of an extension: parents, elements, bindings, invariants, examples, TypeScript, downloads. */

import { type ElementNode, jsonNames, type ProfileTree } from '@mes-fhir/profile-model';
import { FhirXml } from '@mes-fhir/xml';
import type { ManifestProfile } from '../manifest.js';
import { bindingRows, cardinality, CoreDefinitions, elementRows, elementTabs, invariantRows } from './element-table.js';
import { code, fence, frontMatter, table, text } from './mdx.js';
import { type Api, apiTitle, DOWNLOADS_DIR, type Links, type SiteInput } from './site-input.js';

export function chainLinks(input: SiteInput, url: string, link: Links, from: string): string {
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

/**
 * Resources a profile contains that must meet a profile defined elsewhere (the PhdDevice of the
 * feeding Bundle): what that profile requires, i.e. the elements of its differential that a
 * conforming resource must carry (required, with every ancestor required), and their fixed values.
 */
export function targetProfileSections(input: SiteInput, tree: ProfileTree, own: Set<string>): string[] {
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

/** `own`: the urls of our profiles and extensions (their pages are ours, not "required elsewhere"). */
export function profilePage(input: SiteInput, p: ManifestProfile, position: number, link: Links, api: Api, own: Set<string>, core: CoreDefinitions): string {
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

export function extensionPage(input: SiteInput, tree: ProfileTree, link: Links, core: CoreDefinitions): string {
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

/** An example in JSON and in FHIR XML, one tab each (the XML as @mes-fhir/xml writes it from the definitions). */
export function formats(input: SiteInput, json: Record<string, unknown>, name: string): string[] {
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

export function downloadLinks(file: string): string {
  const json = file.split('/').pop()!;
  return `[JSON](pathname:///${DOWNLOADS_DIR}/${json}) · [XML](pathname:///${DOWNLOADS_DIR}/${json.replace(/\.json$/, '.xml')})`;
}
