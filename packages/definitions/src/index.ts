import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Identity of a FHIR package, as its package.json gives it. */
export interface DefinitionsPackage {
  name: string;
  version: string;
  canonical?: string;
  fhirVersions?: string[];
  dependencies?: Record<string, string>;
}

/**
 * Where the definitions sit: in the published package, `fhir/` beside `dist/` (copied in at pack
 * time); in the mes-fhir repository, its `generated/fhir`, which that copy is made from.
 */
const CANDIDATES = [new URL('../fhir/', import.meta.url), new URL('../../../generated/fhir/', import.meta.url)];

/** Thrown when neither the bundled copy nor the repository's generated output is present. */
export class DefinitionsNotFoundError extends Error {
  constructor(readonly placesLooked: string[]) {
    super(
      `the mes-fhir definitions were not found (a FHIR package folder with package.json). Places looked:\n${placesLooked.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'DefinitionsNotFoundError';
  }
}

/**
 * The folder of the FHIR package `mes-fhir.profiles`: its package.json, `.index.json`, the
 * StructureDefinitions (with snapshots), ValueSets and CodeSystems, and `example/`.
 */
export function definitionsDir(): string {
  const places = CANDIDATES.map((u) => fileURLToPath(u));
  const found = places.find((dir) => existsSync(`${dir}package.json`));
  if (!found) throw new DefinitionsNotFoundError(places);
  return found.replace(/[\\/]$/, '');
}

/** Where the NOS value sets sit: `nos/` in the published package, `generated/nos` in the repository. */
const NOS_CANDIDATES = [new URL('../nos/', import.meta.url), new URL('../../../generated/nos/', import.meta.url)];

/**
 * The folder of the FHIR package `mes-fhir.nos` (the NOS value sets our profiles bind to, built by
 * codegen from the ANS's SVS files), or undefined when neither copy is present.
 */
export function nosDir(): string | undefined {
  const found = NOS_CANDIDATES.map((u) => fileURLToPath(u)).find((dir) => existsSync(`${dir}package.json`));
  return found?.replace(/[\\/]$/, '');
}

/** The package.json of the bundled FHIR package (name, version, dependencies). */
export function definitionsPackage(): DefinitionsPackage {
  return JSON.parse(readFileSync(`${definitionsDir()}/package.json`, 'utf8')) as DefinitionsPackage;
}
