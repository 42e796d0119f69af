import { join, resolve } from 'node:path';
import { readProjectPackages } from './config.js';
import { installPackages, type InstallOptions, type InstallResult } from './install.js';
import { ResourceIndex, type ResourceLayer } from './resource-index.js';
import { refToString } from './types.js';

export interface ProjectIndexOptions extends InstallOptions {
  /** SUSHI project folder holding sushi-config.yaml (default: `fsh`). */
  projectDir?: string;
  /** The project's generated definitions (default: `generated/fhir`); read first, so they win. */
  generatedDir?: string;
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
  const project = await readProjectPackages(join(projectDir, 'sushi-config.yaml'));
  const packages = await installPackages([...project.dependencies, project.core], options);
  return { index: new ResourceIndex(projectLayers(packages, options.generatedDir ?? 'generated/fhir')), packages };
}

/** Layer order: generated output, then packages in installation order (the project's own first). */
export function projectLayers(packages: InstallResult, generatedDir?: string): ResourceLayer[] {
  const layers: ResourceLayer[] = [];
  if (generatedDir) layers.push({ label: 'generated', dir: resolve(generatedDir), includeExamples: true });
  for (const p of packages.packages) layers.push({ label: refToString(p), dir: p.dir, includeExamples: true });
  return layers;
}
