import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { x as extractTar } from 'tar';
import { installPackages, type InstallOptions } from './install.js';
import { packageRefProblem, printable } from './package-name.js';
import type { FhirResource } from './resource-index.js';
import { indexFolders } from './package-folder.js';

/** The resources of one package named on a command line, and how to let it go. */
export interface OpenedPackage {
  label: string;
  /** The folder of the resources (a package's `package/`). */
  dir: string;
  /** Every resource of the folder (examples left out). */
  resources(): FhirResource[];
  dispose(): Promise<void>;
}

const PACKAGE_ID = /^[^#]+#[^#]+$/;

/**
 * Opens a package given as a folder (a package folder, or a folder holding `package/`), a FHIR
 * package tarball (`.tgz`), or `name#version` (from the FHIR package cache, installed from the
 * mirror or the registry when missing, as codegen does).
 */
export async function openPackage(spec: string, options: InstallOptions = {}): Promise<OpenedPackage> {
  const path = resolve(spec);
  const withIndex = (label: string, dir: string, dispose: () => Promise<void> = async () => {}): OpenedPackage => ({
    label,
    dir,
    resources: () => {
      const index = indexFolders([{ label, dir }]);
      return index.list().map((e) => index.read(e));
    },
    dispose,
  });
  if (existsSync(path) && statSync(path).isDirectory()) {
    const dir = existsSync(join(path, 'package', 'package.json')) ? join(path, 'package') : path;
    return withIndex(spec, dir);
  }
  if (existsSync(path) && /\.(tgz|tar\.gz)$/.test(path)) {
    const scratch = await mkdtemp(join(tmpdir(), 'mes-fhir-package-'));
    try {
      await extractTar({ file: path, cwd: scratch, strict: true });
    } catch (e) {
      await rm(scratch, { recursive: true, force: true });
      throw new Error(`${spec}: cannot be extracted as a FHIR package tarball (${(e as Error).message})`);
    }
    const dir = existsSync(join(scratch, 'package')) ? join(scratch, 'package') : scratch;
    return withIndex(spec, dir, () => rm(scratch, { recursive: true, force: true }));
  }
  if (PACKAGE_ID.test(spec)) {
    const [name = '', version = ''] = spec.split('#');
    const problem = packageRefProblem({ name, version });
    if (problem) throw new Error(`${printable(spec)}: ${problem}`);
    const installed = await installPackages([{ name, version }], options);
    return withIndex(spec, installed.packages[0]!.dir);
  }
  throw new Error(`${spec}: not a folder, a .tgz FHIR package or a name#version`);
}
