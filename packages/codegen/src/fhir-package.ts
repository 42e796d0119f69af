import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { FhirJson } from './manifest.js';

/**
 * The FHIR NPM package form of the generated definitions: `generated/fhir` is the `package/`
 * folder of that package (package.json, .index.json, resources, `example/`), so SUSHI, the HL7
 * Java validator and our own loader read it as any other FHIR package.
 */

/** What `fsh/fhir-package.yaml` says of the package; the rest comes from sushi-config.yaml. */
export interface FhirPackageConfig {
  name: string;
  title?: string;
  description?: string;
  license?: string;
  author?: string;
  /**
   * The earlier version the site's changelog page compares the profiles with: a label and a FHIR
   * package (tarball or folder, relative to the configuration file). A fixed baseline keeps the
   * page the same from one codegen run to the next.
   */
  changelog?: { since: string; baseline: string };
}

/** FHIR package names: lower-case dot-separated parts (NPM Package Specification). */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;

/** Reads and checks `fhir-package.yaml`; the error names the file and what is wrong. */
export async function readFhirPackageConfig(file: string): Promise<FhirPackageConfig> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot be read (${(e as Error).message})`);
  }
  const config = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof config[key] === 'string' ? (config[key] as string) : undefined);
  const name = text('name');
  if (!name || !PACKAGE_NAME.test(name)) throw new Error(`${file}: "name" must be a FHIR package name (lower case, dot-separated, e.g. mes-fhir.profiles)`);
  const changelog = config.changelog && typeof config.changelog === 'object' ? (config.changelog as Record<string, unknown>) : undefined;
  if (changelog && (typeof changelog.since !== 'string' || typeof changelog.baseline !== 'string')) {
    throw new Error(`${file}: "changelog" needs "since" (a label) and "baseline" (a FHIR package tarball or folder)`);
  }
  return {
    name,
    title: text('title'),
    description: text('description'),
    license: text('license'),
    author: text('author'),
    ...(changelog ? { changelog: { since: changelog.since as string, baseline: changelog.baseline as string } } : {}),
  };
}

/** The `package/package.json` of a FHIR package (NPM Package Specification fields we fill). */
export interface FhirPackageJson {
  name: string;
  version: string;
  canonical?: string;
  url?: string;
  title?: string;
  description?: string;
  fhirVersions: string[];
  dependencies: Record<string, string>;
  type: 'fhir.ig';
  license?: string;
  author?: string;
}

export function buildFhirPackageJson(input: {
  name: string;
  version: string;
  canonical?: string;
  title?: string;
  description?: string;
  license?: string;
  author?: string;
  fhirVersion: string;
  /**
   * Each dependency, the FHIR core package included, in the project's order: loaders that let the
   * first package win on a duplicate url (ours, SUSHI's) read them in this order.
   */
  dependencies: Array<{ name: string; version: string }>;
}): FhirPackageJson {
  const dependencies: Record<string, string> = {};
  for (const d of input.dependencies) dependencies[d.name] = d.version;
  return {
    name: input.name,
    version: input.version,
    ...(input.canonical ? { canonical: input.canonical, url: input.canonical } : {}),
    ...(input.title ? { title: input.title } : {}),
    ...(input.description ? { description: input.description } : {}),
    fhirVersions: [input.fhirVersion],
    dependencies,
    type: 'fhir.ig',
    ...(input.license ? { license: input.license } : {}),
    ...(input.author ? { author: input.author } : {}),
  };
}

/** One row of `.index.json` (index-version 1 of the NPM Package Specification). */
export interface DotIndexFile {
  filename: string;
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  kind?: string;
  type?: string;
}

export interface DotIndex {
  'index-version': 1;
  files: DotIndexFile[];
}

/** The `.index.json` of one folder of a package, sorted by file name (deterministic). */
export function buildDotIndex(files: Array<{ fileName: string; json: FhirJson }>): DotIndex {
  const rows = files.map(({ fileName, json }) => {
    const row: DotIndexFile = { filename: fileName, resourceType: json.resourceType };
    if (json.id) row.id = json.id;
    if (json.url) row.url = json.url;
    if (typeof json.version === 'string') row.version = json.version;
    if (json.kind) row.kind = json.kind;
    if (json.type && json.resourceType === 'StructureDefinition') row.type = json.type;
    return row;
  });
  rows.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  return { 'index-version': 1, files: rows };
}
