import { mkdtemp, readFile, rename, rm, stat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { x as extractTar } from 'tar';
import { cachedPackageDir, cachedPackageRoot, defaultCacheDir, DEFAULT_REGISTRY, MIRROR_ENV, REGISTRY_ENV } from './cache.js';
import { InvalidPackageError, PackageNotFoundError } from './errors.js';
import { MirrorSource, RegistrySource, type PackageSource } from './sources.js';
import { isExactVersion, pickVersion } from './versions.js';
import { insideFolder, packageRefProblem } from './package-name.js';
import { writeMissingDotIndex } from './package-folder.js';
import { refToString, type PackageLogger, type PackageManifest, type PackageRef } from './types.js';

export interface InstallOptions {
  /** FHIR package cache; defaults to FHIR_PACKAGE_CACHE or ~/.fhir/packages. */
  cacheDir?: string;
  /** Folder of tarballs; defaults to FHIR_PACKAGE_MIRROR. When set, the registry is never used. */
  mirror?: string;
  /** Registry base URL; defaults to FPL_REGISTRY or the public FHIR registry. */
  registry?: string;
  /**
   * Progress and warnings while the packages are found and installed: `installing` is called as
   * each package missing from the cache starts to install (seconds on a cold cache). Silent if absent.
   */
  logger?: PackageLogger;
  env?: NodeJS.ProcessEnv;
  fetchImpl?: typeof fetch;
}

export type PackageOrigin = 'cache' | 'mirror' | 'registry';

export interface InstalledPackage extends PackageRef {
  /** The `package/` folder in the cache. */
  dir: string;
  origin: PackageOrigin;
  /** True for the packages the project names itself (and the FHIR core package). */
  required: boolean;
  manifest: PackageManifest;
}

export interface InstallResult {
  cacheDir: string;
  /** Whether a mirror folder replaced the registry (no network use). */
  offline: boolean;
  /** Installed packages: the required ones first, then their dependencies breadth-first. */
  packages: InstalledPackage[];
  /** Optional dependencies that could not be found, and version substitutions. */
  warnings: string[];
}

interface Pending extends PackageRef {
  required: boolean;
  requestedBy?: string;
}

/**
 * Makes every package in `roots`, and the dependencies each one declares, available in the FHIR
 * package cache. Roots are required: a missing one throws {@link PackageNotFoundError} naming every
 * place looked. A dependency of a dependency that cannot be found only adds a warning, because
 * packages routinely declare dependencies that compiling against them does not need. A dependency
 * whose name the project pins itself resolves to the pinned version (one version per package, as
 * SUSHI loads it).
 */
export async function installPackages(roots: PackageRef[], options: InstallOptions = {}): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const mirror = options.mirror ?? env[MIRROR_ENV];
  const sources: PackageSource[] = mirror
    ? [new MirrorSource(mirror)]
    : [new RegistrySource(options.registry ?? env[REGISTRY_ENV] ?? DEFAULT_REGISTRY, options.fetchImpl)];
  const log = options.logger ?? {};
  await mkdir(cacheDir, { recursive: true });

  for (const root of roots) {
    const problem = packageRefProblem(root);
    if (problem) throw new InvalidPackageError(String(root.name), String(root.version), 'the package list', problem);
  }
  const pinned = new Map(roots.map((r) => [r.name, r.version]));
  const done = new Map<string, InstalledPackage>();
  const missing = new Set<string>();
  const warnings: string[] = [];
  const queue: Pending[] = roots.map((r) => ({ ...r, required: true }));

  while (queue.length > 0) {
    const next = queue.shift()!;
    if (done.has(next.name) || missing.has(next.name)) continue;
    const installed = await ensurePackage(next, cacheDir, sources, log);
    if (!installed) {
      const message = `optional package ${refToString(next)} (declared by ${next.requestedBy}) was not found; continuing without it`;
      warnings.push(message);
      log.warn?.(message);
      missing.add(next.name);
      continue;
    }
    done.set(next.name, installed);
    for (const [name, version] of Object.entries(installed.manifest.dependencies ?? {})) {
      const problem = packageRefProblem({ name, version });
      if (problem) {
        // a dependency list is data: a name that is not one would be a path
        const message = `${refToString(installed)} declares a dependency that is ignored: ${problem}`;
        warnings.push(message);
        log.warn?.(message);
        continue;
      }
      const pin = pinned.get(name);
      if (pin !== undefined) {
        if (pin !== version) log.debug?.(`${refToString(installed)} declares ${name}#${version}; using the project's ${name}#${pin}`);
        continue;
      }
      if (!done.has(name) && !missing.has(name)) queue.push({ name, version, required: false, requestedBy: refToString(installed) });
    }
  }
  return {
    cacheDir,
    offline: Boolean(mirror),
    packages: [...done.values()],
    warnings,
  };
}

async function ensurePackage(wanted: Pending, cacheDir: string, sources: PackageSource[], log: PackageLogger): Promise<InstalledPackage | undefined> {
  const places: string[] = [];
  const version = isExactVersion(wanted.version) ? wanted.version : await resolveLooseVersion(wanted, cacheDir, sources);
  if (version) {
    const ref = { name: wanted.name, version };
    const cached = await readCachedManifest(cacheDir, ref);
    if (cached) {
      log.debug?.(`${refToString(ref)}: already in cache`);
      return { ...ref, dir: cachedPackageDir(cacheDir, ref), origin: 'cache', required: wanted.required, manifest: cached };
    }
    places.push(`cache ${cachedPackageRoot(cacheDir, ref)}`);
    for (const source of sources) {
      places.push(source.describe(ref));
      const manifest = await installFrom(source, ref, cacheDir, () => log.installing?.(ref, source.kind));
      if (manifest) {
        log.info?.(`${refToString(ref)}: installed from ${source.kind}`);
        return { ...ref, dir: cachedPackageDir(cacheDir, ref), origin: source.kind, required: wanted.required, manifest };
      }
    }
  } else {
    places.push(`cache ${cacheDir} (no version matching ${wanted.version})`);
    for (const source of sources) places.push(`${source.describe({ name: wanted.name, version: wanted.version })} (no matching version)`);
  }
  if (wanted.required) throw new PackageNotFoundError(wanted.name, wanted.version, places);
  return undefined;
}

async function resolveLooseVersion(wanted: PackageRef, cacheDir: string, sources: PackageSource[]): Promise<string | undefined> {
  for (const source of sources) {
    const v = await source.resolveVersion(wanted.name, wanted.version);
    if (v) return v;
  }
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  const cachedVersions = entries.filter((e) => e.startsWith(`${wanted.name}#`)).map((e) => e.slice(wanted.name.length + 1));
  return pickVersion(wanted.version, cachedVersions);
}

async function readCachedManifest(cacheDir: string, ref: PackageRef): Promise<PackageManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(cachedPackageDir(cacheDir, ref), 'package.json'), 'utf8')) as PackageManifest;
  } catch {
    return undefined;
  }
}

/** Extracts into a scratch folder inside the cache, checks it, then renames it into place (atomic). */
async function installFrom(source: PackageSource, ref: PackageRef, cacheDir: string, onFound: () => void): Promise<PackageManifest | undefined> {
  const scratch = await mkdtemp(insideFolder(cacheDir, join(cacheDir, `.install-${ref.name}-`)));
  try {
    const tarball = await source.fetchTarball(ref, scratch);
    if (!tarball) return undefined;
    onFound();
    const unpacked = join(scratch, 'unpacked');
    await mkdir(unpacked);
    try {
      await extractTar({ file: tarball, cwd: unpacked, strict: true });
    } catch (e) {
      throw new InvalidPackageError(ref.name, ref.version, source.describe(ref), `cannot be extracted (${(e as Error).message})`);
    }
    let manifest: PackageManifest;
    try {
      manifest = JSON.parse(await readFile(join(unpacked, 'package', 'package.json'), 'utf8')) as PackageManifest;
    } catch {
      throw new InvalidPackageError(ref.name, ref.version, source.describe(ref), 'no readable package/package.json at the archive root');
    }
    if (manifest.name !== ref.name || manifest.version !== ref.version) {
      throw new InvalidPackageError(ref.name, ref.version, source.describe(ref), `its package.json says ${manifest.name}#${manifest.version}`);
    }
    writeMissingDotIndex(join(unpacked, 'package'));
    writeMissingDotIndex(join(unpacked, 'package', 'example'));
    const target = cachedPackageRoot(cacheDir, ref);
    try {
      await rename(unpacked, target);
    } catch (e) {
      // Another process may have installed it meanwhile; keep theirs if it is complete.
      if (!(await stat(join(target, 'package', 'package.json')).catch(() => undefined))) throw e;
    }
    return manifest;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
