import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readProjectPackages } from './config.js';
import { installPackages, type InstallOptions, type InstallResult } from './install.js';
import { ResourceIndex, type ResourceLayer } from './resource-index.js';
import { refToString, type PackageRef } from './types.js';

export interface ProjectIndexOptions extends InstallOptions {
  /** SUSHI project folder holding sushi-config.yaml (default: `fsh`). */
  projectDir?: string;
  /** The project's generated definitions (default: `generated/fhir`); read first, so they win. */
  generatedDir?: string;
  /** Further folders or files of definitions, read before everything else (e.g. `validate --load`). */
  extraLayers?: ResourceLayer[];
}

export interface ProjectIndex {
  index: ResourceIndex;
  packages: InstallResult;
}

/**
 * The loaded package set of a project: its generated definitions, then every package it depends
 * on (installing what the cache lacks). Codegen, terminology and the validator all start here.
 */
export async function loadProjectIndex(options: ProjectIndexOptions = {}): Promise<ProjectIndex> {
  const projectDir = resolve(options.projectDir ?? 'fsh');
  const generatedDir = options.generatedDir ?? 'generated/fhir';
  const roots = await projectRoots(join(projectDir, 'sushi-config.yaml'), join(generatedDir, 'manifest.json'));
  const packages = await installPackages(roots, options);
  return { index: new ResourceIndex([...(options.extraLayers ?? []), ...projectLayers(packages, generatedDir)]), packages };
}

/**
 * The packages a project needs: from its sushi-config.yaml, or, where only the generated
 * definitions are at hand (an app that validates against them), from their manifest.
 */
async function projectRoots(configFile: string, manifestFile: string): Promise<PackageRef[]> {
  if (!existsSync(configFile) && existsSync(manifestFile)) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { dependencies?: string[] };
    return (manifest.dependencies ?? []).map((d) => {
      const [name = '', version = ''] = d.split('#');
      return { name, version };
    });
  }
  const project = await readProjectPackages(configFile);
  return [...project.dependencies, project.core];
}

/** Layer order: generated output, then packages in installation order (the project's own first). */
export function projectLayers(packages: InstallResult, generatedDir?: string): ResourceLayer[] {
  const layers: ResourceLayer[] = [];
  if (generatedDir) layers.push({ label: 'generated', dir: resolve(generatedDir), includeExamples: true });
  for (const p of packages.packages) layers.push({ label: refToString(p), dir: p.dir, includeExamples: true });
  return layers;
}
