/**
 * Generates the TypeScript of @mes-fhir/profiles from the loaded package set and the manifest.
 * Pure with respect to its inputs: returns file name → text; the codegen step writes them.
 * Each file is printed once from ts-morph structures (inserting statement by statement re-parses
 * the file every time).
 */
import { StructureKind, VariableDeclarationKind, type ImportDeclarationStructure, type StatementStructures, type VariableStatementStructure } from 'ts-morph';
import type { StructureModel } from '@mes-fhir/profile-model';
import type { Terminology } from '@mes-fhir/terminology';
import type { Manifest } from '../manifest.js';
import { dataTypeSchemas, finish, interfaceOf, newProject, primitiveSchemas, schemaOf } from './emit.js';
import { collectInvariants, type InvariantData } from './invariants.js';
import { ShapeBuilder, type Shape } from './shapes.js';

export interface GeneratedTypeScript {
  files: Map<string, string>;
  invariantCount: number;
  /** Invariants whose FHIRPath could not be compiled (listed by codegen as warnings). */
  notRunnable: Array<{ profile: string; key: string; reason: string }>;
}

/** Bundles come last: their entries refer to the measure profiles by name. */
const profileOrder = (a: { type: string; url: string }, b: { type: string; url: string }) =>
  Number(a.type === 'Bundle') - Number(b.type === 'Bundle') || a.url.localeCompare(b.url);

const imp = (moduleSpecifier: string, named: { namespace?: string; names?: string[]; typeOnly?: boolean }): ImportDeclarationStructure => ({
  kind: StructureKind.ImportDeclaration,
  moduleSpecifier,
  isTypeOnly: named.typeOnly ?? false,
  ...(named.namespace ? { namespaceImport: named.namespace } : { namedImports: named.names ?? [] }),
});

const constant = (name: string, initializer: string, docs: string[], type?: string): VariableStatementStructure => ({
  kind: StructureKind.VariableStatement,
  isExported: true,
  declarationKind: VariableDeclarationKind.Const,
  docs,
  declarations: [{ name, initializer, ...(type ? { type } : {}) }],
});

type ObjectShape = Extract<Shape, { kind: 'object' }>;
type Root = { url: string; name: string; type: string; title?: string; mesCanonical?: string; api: string; shape: ObjectShape };

/** The names of our profiles a shape's properties refer to (entries of a Bundle). */
function profilesReferred(shape: ObjectShape): string[] {
  const of = (s: Shape): string[] => (s.kind === 'profiles' ? s.names : s.kind === 'union' ? s.members.flatMap(of) : []);
  return shape.props.flatMap((p) => [...of(p.shape), ...(p.slices?.specs.flatMap((spec) => of(spec.shape)) ?? [])]);
}

export function generateTypeScript(manifest: Manifest, model: StructureModel, terminology: Terminology): GeneratedTypeScript {
  const builder = new ShapeBuilder(model, terminology);
  const roots: Root[] = [];
  const invariants = new Map<string, InvariantData[]>();
  const notRunnable: GeneratedTypeScript['notRunnable'] = [];
  let invariantCount = 0;

  // each MES API gets its own types and schemas (an entry point of @mes-fhir/profiles imports one)
  const shapesOfApi = new Map<string, ObjectShape[]>();
  const apiOfName = new Map<string, string>();
  for (const p of [...manifest.profiles].sort(profileOrder)) {
    const tree = model.tree(p.url);
    if (!tree) throw new Error(`profile ${p.url} has no snapshot in generated/fhir`);
    if (!p.api) throw new Error(`profile ${p.url} is in no MES API folder: define it under fsh/input/fsh/<api>/`);
    const name = tree.sd.name ?? p.id;
    const before = builder.named.length;
    const shape = builder.profileShape(p.url, name, tree.root, p.type, tree.sd.description ?? p.title);
    const own = builder.named.slice(before);
    for (const s of own) apiOfName.set(s.name, p.api);
    shapesOfApi.set(p.api, [...(shapesOfApi.get(p.api) ?? []), ...own]);
    for (const referred of own.flatMap(profilesReferred))
      if (apiOfName.get(referred) !== p.api)
        throw new Error(`profile ${p.url} (API ${p.api}) refers to ${referred} of another API: each API's types are generated apart`);
    roots.push({ url: p.url, name, type: p.type, title: p.title, mesCanonical: p.mesCanonical, api: p.api, shape });
    const collected = collectInvariants(tree);
    invariants.set(name, collected.runnable);
    invariantCount += collected.runnable.length;
    for (const n of collected.notRunnable) notRunnable.push({ profile: p.url, key: n.key, reason: n.reason });
  }
  const rootTypes = new Map(roots.map((r) => [r.shape.name, r.type]));
  const { statements: dataTypeStatements, primitives } = dataTypeSchemas(model, builder.dataTypes);
  const usedPrimitives = new Set(primitives);
  for (const shape of builder.named) for (const p of shape.props) if (p.shape.kind === 'primitive') usedPrimitives.add(p.shape.fhirType);

  const sources: Record<string, StatementStructures[]> = {
    'primitives.ts': [
      imp('zod', { names: ['z'] }),
      ...(usedPrimitives.has('base64Binary') ? [imp('@mes-fhir/core', { names: ['isBase64Binary'] })] : []),
      ...primitiveSchemas(model, [...usedPrimitives]),
    ],
    'datatypes.ts': [
      imp('zod', { names: ['z'] }),
      imp('fhir/r4.js', { namespace: 'fhir4', typeOnly: true }),
      imp('./primitives.js', { namespace: 'P' }),
      imp('../runtime/helpers.js', { namespace: 'R' }),
      ...dataTypeStatements,
    ],
    ...Object.fromEntries(
      [...shapesOfApi].flatMap(([api, shapes]) => [
        [`${api}/types.ts`, [imp('fhir/r4.js', { namespace: 'fhir4', typeOnly: true }), ...shapes.map(interfaceOf)]],
        [
          `${api}/schemas.ts`,
          [
            imp('zod', { names: ['z'] }),
            imp('fhir/r4.js', { namespace: 'fhir4', typeOnly: true }),
            imp('../primitives.js', { namespace: 'P' }),
            imp('../datatypes.js', { namespace: 'D' }),
            imp('../../runtime/helpers.js', { namespace: 'R' }),
            imp('./types.js', { namespace: 'T', typeOnly: true }),
            ...shapes.map((shape) => schemaOf(shape, rootTypes.get(shape.name))),
          ],
        ],
      ]),
    ),
    'invariants.ts': invariantStatements(roots, invariants),
    'registry.ts': registryStatements(roots),
    'codes.ts': codeStatements(builder),
  };

  const project = newProject();
  const files = new Map<string, string>();
  for (const [name, statements] of Object.entries(sources)) {
    const file = project.createSourceFile(name, { statements });
    // an API whose profiles name no @types/fhir type (noUnusedLocals would refuse the import)
    if (!file.getFullText().includes('fhir4.')) file.getImportDeclaration('fhir/r4.js')?.remove();
    files.set(name, finish(file, 'typescript'));
  }
  return { files, invariantCount, notRunnable };
}

/**
 * Invariants of every profile. Profiles share most constraints (ele-1, dom-*, the R4 and FrCore
 * ones), so each distinct constraint is written once and each profile lists, per element path,
 * which constraints apply there.
 */
function invariantStatements(roots: Root[], invariants: Map<string, InvariantData[]>): StatementStructures[] {
  const distinct: Array<Omit<InvariantData, 'path'>> = [];
  const indexOf = new Map<string, number>();
  const idOf = (inv: InvariantData): number => {
    const { path: _path, ...rest } = inv;
    const key = JSON.stringify(rest);
    let i = indexOf.get(key);
    if (i === undefined) {
      i = distinct.push(rest) - 1;
      indexOf.set(key, i);
    }
    return i;
  };
  const perProfile = roots.map((r) => {
    const byPath = new Map<string, number[]>();
    for (const inv of invariants.get(r.name) ?? []) byPath.set(inv.path, [...(byPath.get(inv.path) ?? []), idOf(inv)]);
    const groups = [...byPath].map(([path, ids]) => `  ...at(${JSON.stringify(path)}, ${ids.join(', ')})`);
    return constant(
      `${r.name}Invariants`,
      `[\n${groups.join(',\n')}\n]`,
      [`Constraints of ${r.url} (own and inherited), by element path.`],
      'readonly InvariantData[]',
    );
  });
  return [
    imp('../runtime/invariants.js', { names: ['InvariantData'], typeOnly: true }),
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      docs: ['Each distinct constraint once.'],
      declarations: [
        {
          name: 'constraints',
          type: "ReadonlyArray<Omit<InvariantData, 'path'>>",
          initializer: `[\n${distinct.map((d) => `  ${JSON.stringify(d)}`).join(',\n')}\n]`,
        },
      ],
    },
    {
      kind: StructureKind.Function,
      name: 'at',
      docs: ['The constraints `ids` placed on the element `path`.'],
      parameters: [
        { name: 'path', type: 'string' },
        { name: 'ids', type: 'number[]', isRestParameter: true },
      ],
      returnType: 'InvariantData[]',
      statements: 'return ids.map((i) => ({ ...constraints[i]!, path }));',
    },
    ...perProfile,
  ];
}

function registryStatements(roots: Root[]): StatementStructures[] {
  const entries = roots.map((r) => {
    const fields = [
      `url: ${JSON.stringify(r.url)}`,
      `name: ${JSON.stringify(r.name)}`,
      `title: ${JSON.stringify(r.title ?? r.name)}`,
      `resourceType: ${JSON.stringify(r.type)}`,
      ...(r.mesCanonical ? [`mesCanonical: ${JSON.stringify(r.mesCanonical)}`] : []),
      `schema: ${r.name}Schema`,
      `invariants: ${r.name}Invariants`,
    ];
    return `  ${JSON.stringify(r.url)}: { ${fields.join(', ')} }`;
  });
  const mes = Object.fromEntries(roots.filter((r) => r.mesCanonical).map((r) => [r.mesCanonical, r.url]));
  const apis = [...new Set(roots.map((r) => r.api))].sort();
  return [
    ...apis.map((api) => imp(`./${api}/schemas.js`, { names: roots.filter((r) => r.api === api).map((r) => `${r.name}Schema`) })),
    imp('./invariants.js', { names: roots.map((r) => `${r.name}Invariants`) }),
    imp('../runtime/registry-entry.js', { names: ['ProfileEntry'], typeOnly: true }),
    constant('profiles', `{\n${entries.join(',\n')}\n}`, ['Our profiles by canonical url.'], 'Readonly<Record<string, ProfileEntry>>'),
    constant(
      'mesCanonicals',
      JSON.stringify(mes, null, 2),
      ['Mon espace santé canonical (what vendors put in meta.profile) → our profile that requires it.'],
      'Readonly<Record<string, string>>',
    ),
  ];
}

/** Literal code lists of the required bindings the profiles type, one per value set. */
function codeStatements(builder: ShapeBuilder): StatementStructures[] {
  const valueSets = new Map<string, string[]>();
  for (const shape of builder.named) {
    for (const p of shape.props)
      if (p.shape.kind === 'primitive' && p.shape.valueSet && p.shape.literals) valueSets.set(p.shape.valueSet.split('|')[0]!, p.shape.literals.map(String));
  }
  const out: StatementStructures[] = [];
  for (const [url, list] of [...valueSets].sort(([a], [b]) => a.localeCompare(b))) {
    const name = url
      .split('/')
      .pop()!
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toUpperCase());
    out.push(constant(`${name}Codes`, `${JSON.stringify(list)} as const`, [`Codes of the required value set ${url}, expanded offline.`]));
    out.push({ kind: StructureKind.TypeAlias, isExported: true, name: `${name}Code`, type: `(typeof ${name}Codes)[number]`, docs: [`A code of ${url}.`] });
  }
  return out;
}
