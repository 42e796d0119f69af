/**
 * The toolkit as a vendor gets it: every publishable package packed with `npm pack`, installed
 * into an empty project outside the repository (third-party dependencies from the npm registry,
 * FHIR packages from the mirror into an empty FHIR cache), then used there.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, mirrorDir } from './helpers/repo.js';

/** The packages a vendor's app installs (codegen is for maintainers: packed, not installed). */
const APP_PACKAGES = [
  'core',
  'definitions',
  'fhir-packages',
  'cda',
  'terminology',
  'profile-model',
  'profiles',
  'client',
  'xml',
  'validator',
  'sandbox',
  'cli',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

const versionOf = async (name: string) =>
  (JSON.parse(await readFile(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let app: string;
let fhirEnv: NodeJS.ProcessEnv;
let install: Run;
let npmEnv: NodeJS.ProcessEnv;
const timings: Record<string, number> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mes-fhir-consumer-'));
  const tarballs = join(work, 'tarballs');
  app = join(work, 'vendor-app');
  await mkdir(tarballs);
  // npm scripts of the packages (the definitions' prepack) must not inherit this repository's npm environment
  npmEnv = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith('npm_'))
      .map((k) => [k, undefined]),
  );
  for (const dir of await readdir(join(REPO_ROOT, 'packages'))) {
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', tarballs, '-w', `packages/${dir}`], REPO_ROOT, npmEnv);
    if (packed.code !== 0) throw new Error(`npm pack packages/${dir} failed:\n${packed.stderr}`);
  }
  await cp(join(REPO_ROOT, 'test', 'fixtures', 'consumer'), app, { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'vendor-app', private: true, type: 'module' }));
  const example = JSON.parse(await readFile(join(REPO_ROOT, 'generated', 'fhir', 'example', 'Observation-ExampleBodyWeight.json'), 'utf8'));
  await writeFile(join(app, 'ok.json'), JSON.stringify(example));
  await writeFile(join(app, 'bad.json'), JSON.stringify({ ...example, status: 'done' }));
  const specs = APP_PACKAGES.map((p) => join(tarballs, `mes-fhir-${p}-0.1.0.tgz`));
  install = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...specs,
      `typescript@${await versionOf('typescript')}`,
      `esbuild@${await versionOf('esbuild')}`,
    ],
    app,
    npmEnv,
  );
  timings[`npm install (${APP_PACKAGES.length} tarballs + typescript + esbuild)`] = install.seconds;
  fhirEnv = { FHIR_PACKAGE_MIRROR: mirrorDir(), FHIR_PACKAGE_CACHE: join(work, 'empty-fhir-cache') };
});

afterAll(async () => {
  console.log(
    `consumer timings: ${Object.entries(timings)
      .map(([k, s]) => `${k} ${s.toFixed(1)}s`)
      .join('; ')}`,
  );
  await rm(work, { recursive: true, force: true });
});

describe('the packed packages installed in a project outside the repository', () => {
  it('install with npm', () => {
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
  });

  it('ship their built code and, for @mes-fhir/definitions, the FHIR package of our profiles', async () => {
    const definitions = join(app, 'node_modules', '@mes-fhir', 'definitions', 'fhir');
    const manifest = JSON.parse(await readFile(join(definitions, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'mes-fhir.profiles', fhirVersions: ['4.0.1'] });
    expect(manifest.dependencies['hl7.fhir.r4.core']).toBe('4.0.1');
    expect(await readdir(definitions)).toEqual(expect.arrayContaining(['.index.json', 'StructureDefinition-mes-observation-bodyweight.json', 'example']));
    expect(await readdir(join(app, 'node_modules', '@mes-fhir', 'cli', 'dist'))).toContain('bin.js');
    // the CLI does not pull the generation pipeline (SUSHI, ts-morph) into a vendor's app
    expect(await readdir(join(app, 'node_modules', '@mes-fhir'))).not.toContain('codegen');
  });

  it('each come with a README, the license, engines, and the sources their maps point at', async () => {
    for (const name of APP_PACKAGES) {
      const dir = join(app, 'node_modules', '@mes-fhir', name);
      const files = await readdir(dir);
      expect(files, name).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
      expect(await readFile(join(dir, 'LICENSE'), 'utf8'), name).toMatch(/Apache License\s+Version 2\.0/);
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      expect(manifest.engines?.node, name).toMatch(/^>=\d+/);
      expect(manifest.homepage, name).toBe('https://mes-fhir.org');
      // every source and declaration map names files the package ships
      const maps = (await readdir(join(dir, 'dist'), { recursive: true })).filter((f) => f.endsWith('.map'));
      for (const map of maps) {
        const { sources } = JSON.parse(await readFile(join(dir, 'dist', map), 'utf8')) as { sources: string[] };
        for (const source of sources) expect(existsSync(join(dir, 'dist', dirname(map), source)), `${name}: ${map} → ${source}`).toBe(true);
      }
    }
  });

  it('a strict TypeScript file using the types and builders compiles with tsc and runs', async () => {
    const tsc = await run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app);
    timings['tsc'] = tsc.seconds;
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
    const out = await run(process.execPath, [join('out', 'app.js')], app);
    expect(out.stderr).toBe('');
    const [measure, document] = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(measure).toEqual({ valid: true, issues: [], unit: 'kg', bundleType: 'transaction', entries: 2 });
    expect(document).toEqual({ document: true });
  });

  it('npx mes-fhir validate installs the FHIR packages on first use (one progress line), accepts a valid payload and rejects an invalid one', async () => {
    const first = await run('npx', ['mes-fhir', 'validate', 'ok.json'], app, fhirEnv);
    timings['first validation (empty FHIR cache)'] = first.seconds;
    expect(first.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^installing FHIR packages from mirror into the FHIR package cache: .*hl7\.fhir\.r4\.core#4\.0\.1.* \(\d+\.\d+s\)$/),
    ]);
    expect(first.stdout).toMatch(/^valid {3}ok\.json/m);
    expect(first.code).toBe(0);

    const second = await run('npx', ['mes-fhir', 'validate', 'ok.json'], app, fhirEnv);
    timings['second validation'] = second.seconds;
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);

    const invalid = await run('npx', ['mes-fhir', 'validate', 'bad.json'], app, fhirEnv);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/error +Observation\.status +"done" is not in the required value set/);
  });

  it('Validator.load() and Terminology.load() work as libraries with the bundled definitions', async () => {
    // a cache of its own, so that Validator.load() installs and reports it; Terminology.load() then finds all
    const out = await run(process.execPath, ['library.mjs'], app, { ...fhirEnv, FHIR_PACKAGE_CACHE: join(work, 'library-fhir-cache') });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout) as Record<string, unknown> & { installing: string[] };
    expect(result).toMatchObject({ ok: true, bad: false, status: 'valid', nos: 'valid', againAfterLoad: 0 });
    expect(result.installing).toContain('hl7.fhir.r4.core#4.0.1 from mirror');
  });

  it('esbuild bundles @mes-fhir/profiles for the browser, without Node built-ins', async () => {
    const out = await run(
      join(app, 'node_modules', '.bin', 'esbuild'),
      ['app.ts', '--bundle', '--platform=browser', '--format=esm', '--log-level=error', '--outfile=out/browser.js'],
      app,
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const bundle = await readFile(join(app, 'out', 'browser.js'), 'utf8');
    expect(bundle).not.toMatch(/require\(["'](node:)?(fs|path|os|crypto|child_process)["']\)/);
  });

  it('esbuild keeps only what an app imports: one builder bundles under 10 KB gzip, from the root or its API', async () => {
    // "sideEffects": false lets the bundler drop the zod schemas, the registry and the invariants
    for (const [name, entry] of [
      ['one-builder', '@mes-fhir/profiles'],
      ['one-builder-mesures', '@mes-fhir/profiles/mesures'],
    ] as const) {
      await writeFile(join(app, `${name}.js`), `import { bodyWeight } from '${entry}';\nglobalThis.build = bodyWeight;\n`);
      const out = await run(
        join(app, 'node_modules', '.bin', 'esbuild'),
        [`${name}.js`, '--bundle', '--minify', '--platform=browser', '--format=esm', '--log-level=error', `--outfile=out/${name}.js`],
        app,
      );
      expect(out.code, out.stderr).toBe(0);
      const bundle = await readFile(join(app, 'out', `${name}.js`));
      expect(gzipSync(bundle).length, entry).toBeLessThan(10 * 1024);
      expect(bundle.toString()).toContain('29463-7');
    }
  });

  it('npx mes-fhir sandbox starts with the bundled definitions, answers, and stops on Ctrl+C', async () => {
    // Own process group, signalled as a whole as Ctrl+C in a terminal does (npx does not forward SIGTERM).
    const child = spawn('npx', ['mes-fhir', 'sandbox', '--port', '0'], {
      cwd: app,
      env: { ...process.env, ...fhirEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m && out.includes('Stop with Ctrl+C.')) done(m[1]!);
      });
      child.on('close', (code) => fail(new Error(`mes-fhir sandbox exited ${code}: ${err}`)));
    });
    try {
      const metadata = (await (await fetch(`${url}/metadata`)).json()) as { resourceType: string };
      expect(metadata.resourceType).toBe('CapabilityStatement');
      const token = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=demo-app&client_secret=demo-secret',
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const pairing = await fetch(`${url}/pairing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/fhir+json' },
        body: '{"patient": "alice"}',
      });
      expect(pairing.status).toBe(201);
    } finally {
      process.kill(-child.pid!, 'SIGINT');
    }
    // npx itself dies of the signal; the sandbox closes its server and database, then says so.
    await closed;
    expect(err).toContain('mes-fhir sandbox: stopped');
    expect(out).toContain('database: PGlite');
    expect(await readdir(join(app, '.mes-fhir-sandbox'))).toContain('PG_VERSION');
  });

  it('mes-fhir codegen says what to install when the pipeline is absent', async () => {
    const out = await run('npx', ['mes-fhir', 'codegen'], app, fhirEnv);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/@mes-fhir\/codegen is not installed/);
  });

  it('the CLI installed without the sandbox validates, converts and expands, and says what to install for sandbox', async () => {
    const alone = join(work, 'cli-only');
    await mkdir(alone);
    await writeFile(join(alone, 'package.json'), JSON.stringify({ name: 'vendor-ci', private: true, type: 'module' }));
    await cp(join(app, 'ok.json'), join(alone, 'ok.json'));
    const cliPackages = APP_PACKAGES.filter((p) => !['sandbox', 'profiles', 'client'].includes(p));
    const installed = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...cliPackages.map((p) => join(work, 'tarballs', `mes-fhir-${p}-0.1.0.tgz`))],
      alone,
      npmEnv,
    );
    expect(installed.code, installed.stderr).toBe(0);
    // no server, database or its engine warning in a project that only validates
    for (const heavy of ['fastify', 'pg', '@electric-sql/pglite', '@mes-fhir/sandbox'])
      expect(existsSync(join(alone, 'node_modules', heavy)), heavy).toBe(false);
    expect(installed.stderr).not.toMatch(/EBADENGINE/);
    const validated = await run('npx', ['mes-fhir', 'validate', 'ok.json'], alone, fhirEnv);
    expect(validated.stdout).toMatch(/^valid {3}ok\.json/m);
    expect(validated.code).toBe(0);
    const converted = await run('npx', ['mes-fhir', 'convert', 'ok.json', '--to', 'xml'], alone, fhirEnv);
    expect(converted.stdout).toMatch(/^<\?xml[^>]*>\n<Observation xmlns="http:\/\/hl7\.org\/fhir">/);
    const expanded = await run('npx', ['mes-fhir', 'expand', 'http://hl7.org/fhir/ValueSet/observation-status'], alone, fhirEnv);
    expect(expanded.code).toBe(0);
    expect(expanded.stdout).toMatch(/^http:\/\/hl7\.org\/fhir\/observation-status\tfinal\t/m);
    const sandbox = await run('npx', ['mes-fhir', 'sandbox'], alone, fhirEnv);
    expect(sandbox.code).toBe(1);
    expect(sandbox.stderr).toBe('mes-fhir sandbox: @mes-fhir/sandbox is not installed (npm install --save-dev @mes-fhir/sandbox)\n');
  });
});
