import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { insideFolder } from './package-name.js';
import type { PackageRef } from './types.js';

/** Environment variable that relocates the FHIR package cache (default `~/.fhir/packages`). */
export const CACHE_ENV = 'FHIR_PACKAGE_CACHE';
/** Environment variable naming a folder of `<name>-<version>.tgz` tarballs used instead of the registry. */
export const MIRROR_ENV = 'FHIR_PACKAGE_MIRROR';
/** Registry override, shared with SUSHI's package loader. */
export const REGISTRY_ENV = 'FPL_REGISTRY';
export const DEFAULT_REGISTRY = 'https://packages.fhir.org';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[CACHE_ENV];
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.fhir', 'packages');
}

/** The folder SUSHI and the FHIR tooling expect: `<cache>/<name>#<version>`. */
export function cachedPackageRoot(cacheDir: string, ref: PackageRef): string {
  return insideFolder(cacheDir, join(cacheDir, `${ref.name}#${ref.version}`));
}

/** The `package/` folder inside a cached package, where the resources live. */
export function cachedPackageDir(cacheDir: string, ref: PackageRef): string {
  return join(cachedPackageRoot(cacheDir, ref), 'package');
}
