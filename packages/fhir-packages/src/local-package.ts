import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { c as createTar } from 'tar';
import { cachedPackageRoot, defaultCacheDir } from './cache.js';
import { BUNDLED_PACKAGES, bundledDependencies } from './bundled-packages.js';
import { ProjectConfigError } from './errors.js';
import { installPackages, type InstallOptions, type InstallResult } from './install.js';
import type { PackageManifest } from './types.js';

/**
 * A FHIR package kept as a folder (the content of its `package/`), such as the mes-fhir
 * definitions: read its manifest, put it into the FHIR package cache, or pack it as a tarball.
 */
export async function readFolderManifest(dir: string): Promise<PackageManifest> {
  let manifest: PackageManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageManifest;
  } catch (e) {
    throw new ProjectConfigError(
      join(dir, 'package.json'),
      `cannot be read as a FHIR package manifest (${(e as Error).message}); "mes-fhir codegen" writes it`,
    );
  }
  if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
    throw new ProjectConfigError(join(dir, 'package.json'), 'a FHIR package manifest needs a name and a version');
  }
  return manifest;
}

export interface FolderInstallResult {
  manifest: PackageManifest;
  /** `<cache>/<name>#<version>` */
  cachedAt: string;
  /** The packages it depends on, installed as `installPackages` does. */
  dependencies: InstallResult;
  /** Its dependencies that ship with mes-fhir (the NOS value sets), copied into the cache too. */
  bundled: Array<{ name: string; version: string; cachedAt: string }>;
}

/**
 * Copies the folder into the cache as `<name>#<version>/package/` (replacing an older copy of the
 * same version: a locally built package changes without a version bump), then installs the
 * packages it depends on. SUSHI and the HL7 Java validator then load it by name and version.
 */
export async function installFolderPackage(dir: string, options: InstallOptions = {}): Promise<FolderInstallResult> {
  const manifest = await readFolderManifest(dir);
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.env ?? process.env);
  await mkdir(cacheDir, { recursive: true });
  const target = cachedPackageRoot(cacheDir, manifest);
  const scratch = await mkdtemp(join(cacheDir, `.install-${manifest.name}-`));
  try {
    await cp(dir, join(scratch, 'package'), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(scratch, target);
  } catch (e) {
    await rm(scratch, { recursive: true, force: true });
    throw e;
  }
  const roots = Object.entries(manifest.dependencies ?? {}).map(([name, version]) => ({ name, version }));
  // the packages mes-fhir ships (no registry has them) are copied from where they ship, with their own dependencies
  const bundled: FolderInstallResult['bundled'] = [];
  const nested: InstallResult[] = [];
  const { found: shipped, missing, otherVersion } = bundledDependencies(roots, dir);
  if (missing.length) throw new Error(missing.join('\n'));
  for (const found of shipped) {
    const installed = await installFolderPackage(found.dir, { ...options, cacheDir });
    bundled.push({ name: found.name, version: found.version, cachedAt: installed.cachedAt });
    nested.push(installed.dependencies);
  }
  const dependencies = await installPackages(
    roots.filter((r) => !BUNDLED_PACKAGES.has(r.name)),
    { ...options, cacheDir },
  );
  for (const n of nested) dependencies.warnings.push(...n.warnings);
  dependencies.warnings.push(...otherVersion);
  return { manifest, cachedAt: target, dependencies, bundled };
}

/** Every file below `dir`, relative, sorted (so that the tarball lists them in a stable order). */
async function listFiles(dir: string, root = dir): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full, root)));
    else if (entry.isFile()) files.push(relative(root, full));
  }
  return files.sort();
}

/**
 * Writes the folder as `tarball`, and each dependency that ships with mes-fhir (no registry has it)
 * beside it as `<name>-<version>.tgz`, as a mirror names them. Returns the files written.
 */
export async function packFolderWithBundled(dir: string, tarball: string): Promise<string[]> {
  const manifest = await readFolderManifest(dir);
  const { found, missing } = bundledDependencies(
    Object.entries(manifest.dependencies ?? {}).map(([name, version]) => ({ name, version })),
    dir,
  );
  if (missing.length) throw new Error(missing.join('\n'));
  await packFolderPackage(dir, tarball);
  const files = [tarball];
  for (const b of found) {
    const beside = join(dirname(tarball), `${b.name}-${b.version}.tgz`);
    await packFolderPackage(b.dir, beside);
    files.push(beside);
  }
  return files;
}

/**
 * Writes the folder as a FHIR package tarball (archive root `package/`), byte-identical for the
 * same content: fixed modification times and modes, files in sorted order.
 */
export async function packFolderPackage(dir: string, tarball: string): Promise<PackageManifest> {
  const manifest = await readFolderManifest(dir);
  await mkdir(dirname(tarball), { recursive: true });
  await createTar({ file: tarball, gzip: true, portable: true, mtime: new Date('2000-01-01T00:00:00Z'), prefix: 'package', cwd: dir }, await listFiles(dir));
  return manifest;
}
