import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** The official NOS value sets in IHE SVS (NOS_SVS_DIR, else ../shared/nos-svs beside the repo). */
export function nosSvsDir(): string {
  const dir = resolve(process.env.NOS_SVS_DIR ?? join(REPO_ROOT, '..', 'shared', 'nos-svs'));
  if (!existsSync(dir)) throw new Error(`NOS value sets not found at ${dir}; set NOS_SVS_DIR`);
  return dir;
}

/** The FHIR package mirror the tests install from (FHIR_PACKAGE_MIRROR, else ../shared beside the repo). */
export function mirrorDir(): string {
  const dir = resolve(process.env.FHIR_PACKAGE_MIRROR ?? join(REPO_ROOT, '..', 'shared', 'fhir-packages'));
  if (!existsSync(dir)) throw new Error(`FHIR package mirror not found at ${dir}; set FHIR_PACKAGE_MIRROR`);
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `mes-fhir` binary, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT, stdin?: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Every file below `dir` with its content, keyed by relative path: for byte-for-byte comparisons. */
export async function snapshotTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.set(relative(dir, full), await readFile(full, 'utf8'));
    }
  };
  await walk(dir);
  return files;
}

/** The project's loaded package set (generated definitions + dependencies), shared by a test file. */
export async function loadRepoIndex() {
  const { loadProjectIndex } = await import('@mes-fhir/fhir-packages');
  return loadProjectIndex({ projectDir: join(REPO_ROOT, 'fsh'), generatedDir: join(REPO_ROOT, 'generated', 'fhir'), mirror: mirrorDir() });
}
