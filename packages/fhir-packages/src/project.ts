import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { definitionsDir } from '@mes-fhir/definitions';
import { BUNDLED_PACKAGES, bundledDependencies, findBundledPackage, NOS_PACKAGE } from './bundled-packages.js';
import { readProjectPackages } from './config.js';
import { installPackages, type InstallOptions, type InstallResult } from './install.js';
import { readFolderManifest } from './local-package.js';
import type { ResourceIndex } from './resource-index.js';
import { indexFolders, type ResourceLayer } from './package-folder.js';
import { refToString, type PackageRef } from './types.js';

export interface ProjectIndexOptions extends InstallOptions {
  /**
   * A SUSHI project folder holding sushi-config.yaml: its dependencies are loaded (codegen's view,
   * which needs no generated output yet). Its generated definitions are `generatedDir`, default
   * `generated/fhir`.
   */
  projectDir?: string;
  /**
   * A folder of generated definitions in the FHIR package layout (package.json, .index.json,
   * resources, example/): it is loaded with the packages its package.json depends on.
   */
  generatedDir?: string;
  /** Further folders or files of definitions, read before everything else (e.g. `validate --load`). */
  extraLayers?: ResourceLayer[];
  /** Where "./generated/fhir" and "./fsh" are looked for when nothing is named (default: the working directory). */
  cwd?: string;
}

/** Where the definitions of a loaded package set came from. */
export type DefinitionsSource =
  { kind: 'project'; projectDir: string; generatedDir: string } | { kind: 'generated'; generatedDir: string } | { kind: 'bundled'; generatedDir: string };

export interface ProjectIndex {
  index: ResourceIndex;
  packages: InstallResult;
  source: DefinitionsSource;
}

/**
 * The loaded package set: the mes-fhir definitions, then every package they depend on (installing
 * what the cache lacks). Codegen, terminology and the validator all start here. Without options
 * the definitions are `./generated/fhir` when the working directory has the layout of this
 * repository (see {@link isCodegenLayout}), else those bundled in @mes-fhir/definitions.
 */
export async function loadProjectIndex(options: ProjectIndexOptions = {}): Promise<ProjectIndex> {
  const source = chooseSource(options);
  const roots = source.kind === 'project' ? await projectRoots(source.projectDir) : await packageRoots(source.generatedDir);
  const { found, missing, otherVersion } = bundledDependencies(roots, source.generatedDir);
  // the NOS value sets ship with mes-fhir: loaded by default, even for definitions that do not name them
  const nos = roots.some((r) => r.name === NOS_PACKAGE) ? undefined : findBundledPackage(NOS_PACKAGE, source.generatedDir);
  const bundled = [...found, ...(nos ? [nos] : [])];
  const packages = await installPackages(
    roots.filter((r) => !BUNDLED_PACKAGES.has(r.name)),
    options,
  );
  packages.warnings.push(...missing, ...otherVersion);
  return { index: indexFolders([...(options.extraLayers ?? []), ...projectLayers(packages, source.generatedDir, bundled)]), packages, source };
}

/** Decides where the definitions come from; see {@link loadProjectIndex}. */
export function chooseSource(options: Pick<ProjectIndexOptions, 'projectDir' | 'generatedDir' | 'cwd'>): DefinitionsSource {
  const cwd = resolve(options.cwd ?? '.');
  if (options.projectDir) {
    return { kind: 'project', projectDir: resolve(cwd, options.projectDir), generatedDir: resolve(cwd, options.generatedDir ?? 'generated/fhir') };
  }
  if (options.generatedDir) return { kind: 'generated', generatedDir: resolve(cwd, options.generatedDir) };
  if (isCodegenLayout(cwd)) return { kind: 'generated', generatedDir: join(cwd, 'generated', 'fhir') };
  return { kind: 'bundled', generatedDir: definitionsDir() };
}

/**
 * Whether a folder has the layout of this repository, where `mes-fhir codegen` writes: a SUSHI
 * project in `fsh/` and its output in `generated/fhir/` with the manifest codegen writes. Only then
 * are its definitions picked up without being named, so that validating files inside some other
 * checkout never loads (and installs the dependencies of) definitions it happens to hold.
 */
export function isCodegenLayout(dir: string): boolean {
  const generated = join(dir, 'generated', 'fhir');
  if (!existsSync(join(dir, 'fsh', 'sushi-config.yaml')) || !existsSync(join(generated, 'package.json'))) return false;
  try {
    return (JSON.parse(readFileSync(join(generated, 'manifest.json'), 'utf8')) as { generator?: unknown }).generator === '@mes-fhir/codegen';
  } catch {
    return false;
  }
}

/** A SUSHI project's packages: its dependencies and the FHIR core package. */
async function projectRoots(projectDir: string): Promise<PackageRef[]> {
  const project = await readProjectPackages(join(projectDir, 'sushi-config.yaml'));
  return [...project.dependencies, project.core];
}

/** The packages a folder of definitions in the FHIR package layout depends on (its package.json). */
async function packageRoots(dir: string): Promise<PackageRef[]> {
  const manifest = await readFolderManifest(dir);
  return Object.entries(manifest.dependencies ?? {}).map(([name, version]) => ({ name, version }));
}

/**
 * Layer order: generated output, then the packages shipped with mes-fhir (the NOS value sets), then
 * packages in installation order (the project's own first).
 */
export function projectLayers(packages: InstallResult, generatedDir?: string, bundled: Array<PackageRef & { dir: string }> = []): ResourceLayer[] {
  const layers: ResourceLayer[] = [];
  if (generatedDir) layers.push({ label: 'generated', dir: resolve(generatedDir), includeExamples: true });
  for (const b of bundled) layers.push({ label: refToString(b), dir: b.dir });
  for (const p of packages.packages) layers.push({ label: refToString(p), dir: p.dir, includeExamples: true });
  return layers;
}

/** One line naming where the definitions were read from (for CLIs and logs). */
export function describeSource(source: DefinitionsSource): string {
  switch (source.kind) {
    case 'project':
      return `FSH project ${source.projectDir} with ${source.generatedDir}`;
    case 'generated':
      return source.generatedDir;
    case 'bundled':
      return `@mes-fhir/definitions (${source.generatedDir})`;
  }
}
