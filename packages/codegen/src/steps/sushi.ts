import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REGISTRY_ENV } from '@mes-fhir/fhir-packages';
import type { CodegenContext, CodegenStep, FshSources } from '../context.js';
import { CodegenError, SushiError, formatDiagnostic, type SushiDiagnostic } from '../errors.js';

/**
 * Warnings SUSHI gives on every offline run and that need no action: its automatic
 * `hl7.fhir.uv.tools.r4#latest` package (nothing we write uses the tooling extensions) and its
 * check for a newer SUSHI release.
 */
const EXPECTED_WARNINGS = [/automatically-provided hl7\.fhir\.uv\.tools\.r4#latest/, /Unable to determine the latest version of sushi/];

/** Where nothing listens: SUSHI's package loader fails at once instead of reaching the network. */
const CLOSED_REGISTRY = 'http://127.0.0.1:9';

/** Compiles the FSH project with the real SUSHI, snapshots included, into the scratch folder. */
export const sushiStep: CodegenStep = {
  name: 'sushi',
  async run(ctx) {
    const out = join(ctx.workDir, 'sushi');
    const { code, output } = await runSushi(ctx, ['build', resolve(ctx.options.projectDir), '--snapshot', '-o', out]);
    const diagnostics = parseSushiOutput(output);
    const errors = diagnostics.filter((d) => d.level === 'error');
    if (code !== 0 || errors.length > 0) throw new SushiError(diagnostics, code, output);
    const warnings = diagnostics.filter((d) => d.level === 'warn');
    const unexpected = warnings.filter((w) => !EXPECTED_WARNINGS.some((re) => re.test(w.message)));
    for (const w of unexpected) ctx.log.warn(`SUSHI ${formatDiagnostic(w)}`);
    ctx.sushiResources = join(out, 'fsh-generated', 'resources');
    ctx.sushiWarnings = warnings;
    ctx.fsh = await readFshSources(resolve(ctx.options.projectDir, 'input', 'fsh'));
    const expected = warnings.length - unexpected.length;
    return `0 errors, ${unexpected.length} warnings${expected ? ` (+${expected} expected offline)` : ''}`;
  },
};

/** The FSH folder of what every API shares (aliases, rule sets, invariants): not an API. */
const SHARED_FSH_FOLDER = 'common';

/**
 * What the JSON output does not keep, read from the FSH by SUSHI's own importer: each instance's
 * `InstanceOf` as written (a name, an id or a url; our examples claim the MES canonical, or
 * nothing, in meta.profile), and the MES API of each profile, which is the folder under
 * `input/fsh` that defines it (`mesures/`, `agenda/`, `documents/`; `common/` is none).
 */
async function readFshSources(fshDir: string): Promise<FshSources> {
  const { sushiImport, utils } = await import('fsh-sushi');
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.name.endsWith('.fsh')) files.push(join(dir, e.name));
    }
  };
  await walk(fshDir);
  files.sort();
  const raws = await Promise.all(files.map(async (f) => new sushiImport.RawFSH(await readFile(f, 'utf8'), f)));
  const sources: FshSources = { instanceOf: new Map(), apiOf: new Map() };
  // SUSHI's logger writes its progress to standard output: quiet here (the build above reported already)
  const level = utils.logger.level;
  utils.logger.level = 'error';
  try {
    for (const doc of sushiImport.importText(raws)) {
      for (const i of doc.instances.values()) if (i.id && i.instanceOf) sources.instanceOf.set(i.id, i.instanceOf);
      const folder = relative(fshDir, dirname(doc.file ?? fshDir)).split(sep)[0];
      if (folder && folder !== SHARED_FSH_FOLDER) for (const p of doc.profiles.values()) sources.apiOf.set(p.id, folder);
    }
  } finally {
    utils.logger.level = level;
  }
  return sources;
}

function sushiBin(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('fsh-sushi/package.json');
  const bin = (require(pkgFile) as { bin: Record<string, string> }).bin.sushi;
  if (!bin) throw new CodegenError('sushi', 'fsh-sushi does not declare a sushi binary');
  return join(dirname(pkgFile), bin);
}

/**
 * SUSHI always reads `~/.fhir/packages`. To point it at another cache we give the child process a
 * scratch HOME whose `.fhir/packages` links to that cache.
 */
async function sushiEnv(ctx: CodegenContext): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...(ctx.options.env ?? process.env), FORCE_COLOR: '0' };
  const cacheDir = ctx.packages?.cacheDir;
  if (cacheDir && resolve(cacheDir) !== join(homedir(), '.fhir', 'packages')) {
    const home = join(ctx.workDir, 'home');
    await mkdir(join(home, '.fhir'), { recursive: true });
    await symlink(resolve(cacheDir), join(home, '.fhir', 'packages'), 'dir');
    env.HOME = home;
    env.USERPROFILE = home;
  }
  // With a mirror, every package is already in the cache: keep SUSHI off the FHIR registry.
  if (ctx.packages?.offline) env[REGISTRY_ENV] = CLOSED_REGISTRY;
  return env;
}

async function runSushi(ctx: CodegenContext, args: string[]): Promise<{ code: number | null; output: string }> {
  const env = await sushiEnv(ctx);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [sushiBin(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line.trim()) ctx.log.detail(`  sushi| ${line}`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (e) => reject(new CodegenError('sushi', `cannot start SUSHI: ${e.message}`)));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Reads SUSHI's log lines (`error …` / `warn …` followed by indented File:/Line: details). */
export function parseSushiOutput(output: string, cwd = process.cwd()): SushiDiagnostic[] {
  const diagnostics: SushiDiagnostic[] = [];
  let current: SushiDiagnostic | undefined;
  for (const raw of output.replace(ANSI, '').split('\n')) {
    const start = /^(error|warn)\s+(.*)$/.exec(raw);
    if (start) {
      current = { level: start[1] as 'error' | 'warn', message: start[2]!.trim() };
      diagnostics.push(current);
      continue;
    }
    if (!current) continue;
    const detail = /^\s+(File|Line|Applied in File|Applied on Line):\s*(.*)$/.exec(raw);
    if (detail) {
      const [, key, value = ''] = detail;
      if (key === 'File') current.file = relative(cwd, value.trim()) || value.trim();
      else if (key === 'Line') current.line = Number.parseInt(value, 10) || undefined;
      else if (key === 'Applied in File') current.message += ` (applied in ${relative(cwd, value.trim())}`;
      else current.message += `:${value.trim()})`;
    } else if (/^\s{2,}\S/.test(raw) && !/^\s*\|/.test(raw)) {
      current.message += ` ${raw.trim()}`;
    } else {
      current = undefined;
    }
  }
  return diagnostics;
}
