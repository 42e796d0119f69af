/**
 * FHIR packages that mes-fhir ships instead of fetching: `mes-fhir.nos`, the NOS value sets built
 * by codegen from the ANS's SVS files (no registry publishes them in FHIR form). A definitions
 * folder that depends on one finds it beside itself (`generated/nos` next to `generated/fhir`), else
 * in @mes-fhir/definitions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nosDir } from '@mes-fhir/definitions';
import { refToString, type PackageRef } from './types.js';

export const NOS_PACKAGE = 'mes-fhir.nos';

/** Package names served by {@link findBundledPackage}, never looked for in a mirror or registry. */
export const BUNDLED_PACKAGES: ReadonlySet<string> = new Set([NOS_PACKAGE]);

export interface BundledPackage extends PackageRef {
  dir: string;
}

function manifestOf(dir: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}

/**
 * The dependencies of a definitions folder that ship with mes-fhir, where they are found; those
 * found nowhere (`missing`) and those found in another version (`otherVersion`), worded once here
 * for every caller (loading, installing, packing).
 */
export function bundledDependencies(
  dependencies: PackageRef[],
  definitionsDir: string,
): { found: BundledPackage[]; missing: string[]; otherVersion: string[] } {
  const found: BundledPackage[] = [];
  const missing: string[] = [];
  const otherVersion: string[] = [];
  for (const dep of dependencies.filter((d) => BUNDLED_PACKAGES.has(d.name))) {
    const pkg = findBundledPackage(dep.name, definitionsDir);
    if (!pkg) missing.push(`${refToString(dep)}, a dependency of ${definitionsDir}, was found neither beside it nor in @mes-fhir/definitions`);
    else {
      found.push(pkg);
      if (pkg.version !== dep.version)
        otherVersion.push(`${refToString(dep)}, a dependency of ${definitionsDir}: version ${pkg.version} used, from ${pkg.dir}`);
    }
  }
  return { found, missing, otherVersion };
}

/** Where a bundled package is for a definitions folder: beside it, then in @mes-fhir/definitions. */
export function findBundledPackage(name: string, definitionsDir?: string): BundledPackage | undefined {
  if (name !== NOS_PACKAGE) return undefined;
  const places = [definitionsDir ? join(dirname(definitionsDir), 'nos') : undefined, nosDir()];
  for (const dir of places) {
    if (!dir || !existsSync(join(dir, 'package.json'))) continue;
    const manifest = manifestOf(dir);
    if (manifest?.name === name && typeof manifest.version === 'string') return { name, version: manifest.version, dir };
  }
  return undefined;
}
