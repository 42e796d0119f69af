/**
 * The generated reference pages say what the profiles say: every element table, in every tab,
 * nests each row under its real parent (read back from the indentation and compared with the
 * snapshot's element ids).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/repo.js';

const PAGES = join(REPO_ROOT, 'docs-site', 'docs', 'reference');
const FHIR = join(REPO_ROOT, 'generated', 'fhir');

interface Sd {
  url: string;
  snapshot: { element: Array<{ id: string }> };
}
const definitions = readdirSync(FHIR)
  .filter((f) => f.startsWith('StructureDefinition-'))
  .map((f) => JSON.parse(readFileSync(join(FHIR, f), 'utf8')) as Sd);

/** The element ids a page's tables stand for: each row's name appended to the row above it one level up. */
function idsOfTables(mdx: string): Array<{ tab: string; ids: string[] }> {
  const tables: Array<{ tab: string; ids: string[] }> = [];
  let tab = '';
  let current: string[] | undefined;
  const stack: string[] = [];
  for (const line of mdx.split('\n')) {
    const opened = /<TabItem value="([^"]+)"/.exec(line);
    if (opened) tab = opened[1]!;
    if (line.startsWith('| Élément | Card. | Type | Contraintes | Description |')) {
      tables.push({ tab, ids: (current = []) });
      stack.length = 0;
      continue;
    }
    if (!current) continue;
    if (!line.startsWith('|')) {
      current = undefined;
      continue;
    }
    if (line.startsWith('|---')) continue;
    const cell = line.split(' | ')[0]!.replace(/^\| /, '');
    const depth = (cell.match(/&emsp;/g) ?? []).length;
    const name = /`([^`]+)`/.exec(cell)?.[1];
    if (!name) continue;
    // the root row shows the path (depth 0); its children show their name one level in
    const level = stack.length === 0 ? 0 : depth + 1;
    stack.length = level;
    stack.push(level === 0 ? name : `${stack[level - 1]}.${name}`);
    current.push(stack[level]!);
  }
  return tables;
}

describe('reference pages of the profiles', () => {
  const pages = readdirSync(join(PAGES, 'profils')).filter((f) => f.endsWith('.mdx'));

  it.each(pages)('%s: every row of every element table sits under its real parent', (page) => {
    const mdx = readFileSync(join(PAGES, 'profils', page), 'utf8');
    const canonical = /Canonique \| `([^`]+)`/.exec(mdx)?.[1];
    const sd = definitions.find((d) => d.url === canonical);
    expect(sd, `no StructureDefinition for ${page}`).toBeDefined();
    const known = new Set(sd!.snapshot.element.map((e) => e.id));
    const tables = idsOfTables(mdx);
    expect(tables.map((t) => t.tab)).toEqual(expect.arrayContaining(['differentiel', 'cles', 'complet']));
    for (const { tab, ids } of tables) {
      expect(ids.length, `${page} ${tab}`).toBeGreaterThan(0);
      for (const id of ids) expect(known.has(id), `${page}, tab ${tab}: row ${id} is not an element of the profile`).toBe(true);
    }
  });

  it('shows each example on the page of the profile it is an instance of, and only there; every profile has one', () => {
    const manifest = JSON.parse(readFileSync(join(FHIR, 'manifest.json'), 'utf8')) as {
      profiles: Array<{ id: string; url: string; type: string }>;
      examples: Array<{ id: string; resourceType: string; instanceOf?: string }>;
    };
    const exampleHeadings = (id: string): string[] => {
      const mdx = readFileSync(join(PAGES, 'profils', `${id}.mdx`), 'utf8');
      const section = mdx.split('## Exemples')[1]?.split('\n## ')[0] ?? '';
      return section.match(/^### .*$/gm) ?? [];
    };
    for (const p of manifest.profiles) expect(exampleHeadings(p.id).length, `${p.id} has no example`).toBeGreaterThan(0);
    const searchResults = manifest.examples.filter((e) => e.instanceOf && e.resourceType === 'Bundle');
    expect(searchResults.length).toBeGreaterThanOrEqual(5);
    for (const e of manifest.examples.filter((x) => x.instanceOf)) {
      for (const p of manifest.profiles.filter((x) => x.type === e.resourceType)) {
        const shown = exampleHeadings(p.id).includes(`### ${e.id}`);
        expect(shown, `${e.id} on the page of ${p.id}`).toBe(p.url === e.instanceOf);
      }
    }
  });

  it('shows subject.identifier of MES Poids under subject, not under category', () => {
    const mdx = readFileSync(join(PAGES, 'profils', 'mes-observation-bodyweight.mdx'), 'utf8');
    const changes = idsOfTables(mdx).find((t) => t.tab === 'differentiel')!.ids;
    expect(changes).toContain('Observation.subject.identifier');
    expect(changes).toContain('Observation.subject');
    expect(changes.some((id) => id.startsWith('Observation.category.identifier'))).toBe(false);
  });
});

describe('reference pages of the value sets', () => {
  const pages = readdirSync(join(PAGES, 'jeux-de-valeurs')).filter((f) => f.endsWith('.mdx'));

  it.each(pages)('%s: lists its codes, or says in French why it cannot, with urls in code', (page) => {
    const mdx = readFileSync(join(PAGES, 'jeux-de-valeurs', page), 'utf8');
    const listed = /^\d+ concept\(s\)\.$|^\d+ concepts : trop pour cette page/m.test(mdx);
    const why = /^Liste des codes indisponible hors ligne : /m.test(mdx);
    expect(listed !== why, 'either the codes or the reason').toBe(true);
    expect(mdx).not.toMatch(/is not in the loaded packages|cannot be enumerated|Expansion impossible/);
    // a url outside code gets auto-linked by the site with its markdown escapes (%5C_ in the link)
    expect(mdx).not.toMatch(/(^|[^`(])https?:\/\/\S*\\_/m);
  });
});
