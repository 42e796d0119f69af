/**
 * Our profiles as a FHIR package used by another FHIR tool: a vendor's SUSHI project that derives
 * a profile from an MES profile, compiled offline by the real SUSHI against a scratch FHIR cache
 * filled by `mes-fhir fhir-package --install`, and one started by `mes-fhir init-fsh`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { t as listTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, mirrorDir, runCli, type CliResult } from './helpers/repo.js';

const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const MES_WEIGHT = 'https://mes-fhir.org/fhir/StructureDefinition/mes-observation-bodyweight';

function sushiBin(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('fsh-sushi/package.json');
  return join(dirname(pkgFile), (require(pkgFile) as { bin: { sushi: string } }).bin.sushi);
}

/** SUSHI as a vendor runs it: HOME holds the FHIR cache; no registry reachable (a closed local port). */
function runSushi(project: string, out: string, home: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [sushiBin(), 'build', project, '--snapshot', '-o', out], {
      env: { ...process.env, HOME: home, USERPROFILE: home, FPL_REGISTRY: 'http://127.0.0.1:9', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

let work: string;
let home: string;
let installed: CliResult;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mes-fhir-package-'));
  home = join(work, 'home');
  await mkdir(join(home, '.fhir'), { recursive: true });
  installed = await runCli(['fhir-package', '--install'], { FHIR_PACKAGE_MIRROR: mirrorDir(), FHIR_PACKAGE_CACHE: join(home, '.fhir', 'packages') });
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('generated/fhir is a FHIR package', () => {
  it('has a package.json naming the package, its canonical, FHIR version and dependencies', async () => {
    const manifest = JSON.parse(await readFile(join(GENERATED, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'mes-fhir.profiles',
      version: '0.1.0',
      canonical: 'https://mes-fhir.org/fhir',
      fhirVersions: ['4.0.1'],
      type: 'fhir.ig',
    });
    expect(manifest.dependencies).toMatchObject({
      'hl7.fhir.r4.core': '4.0.1',
      'hl7.fhir.fr.core': '2.1.0',
      'ans.fhir.fr.mesures': '3.2.0',
      'ans.fhir.fr.gap': '3.0.0',
    });
  });

  it('has an .index.json in the package folder and in example/ that lists every resource file', async () => {
    const ours = JSON.parse(await readFile(join(REPO_ROOT, 'generated', 'fhir', 'manifest.json'), 'utf8')) as {
      profiles: Array<{ file: string }>;
      extensions: Array<{ file: string }>;
      valueSets: Array<{ file: string }>;
      codeSystems: Array<{ file: string }>;
      examples: Array<{ file: string }>;
    };
    const index = JSON.parse(await readFile(join(GENERATED, '.index.json'), 'utf8'));
    const exampleIndex = JSON.parse(await readFile(join(GENERATED, 'example', '.index.json'), 'utf8'));
    const definitions = [...ours.profiles, ...ours.extensions, ...ours.valueSets, ...ours.codeSystems].map((e) => e.file).sort();
    expect(index['index-version']).toBe(1);
    expect(index.files.map((f: { filename: string }) => f.filename)).toEqual(definitions);
    expect(index.files).toContainEqual(
      expect.objectContaining({ resourceType: 'StructureDefinition', url: MES_WEIGHT, kind: 'resource', type: 'Observation' }),
    );
    expect(exampleIndex.files.map((f: { filename: string }) => `example/${f.filename}`)).toEqual(ours.examples.map((e) => e.file).sort());
  });

  it('mes-fhir fhir-package --tgz writes a tarball rooted at package/', async () => {
    const file = join(work, 'mes-fhir.profiles-0.1.0.tgz');
    const out = await runCli(['fhir-package', '--tgz', file]);
    expect(out.code).toBe(0);
    const entries: string[] = [];
    await listTar({ file, onReadEntry: (e) => entries.push(e.path) });
    expect(entries).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/.index.json',
        'package/StructureDefinition-mes-observation-bodyweight.json',
        'package/example/.index.json',
      ]),
    );
    expect(entries.every((e) => e.startsWith('package/'))).toBe(true);
    // and the NOS value sets it depends on, which no registry has, beside it
    const nos = out.stdout.match(/wrote (.*mes-fhir\.nos-[\d.]+\.tgz)/)?.[1];
    expect(nos).toBeDefined();
    const nosEntries: string[] = [];
    await listTar({ file: nos!, onReadEntry: (e) => nosEntries.push(e.path) });
    expect(nosEntries).toEqual(expect.arrayContaining(['package/package.json', 'package/ValueSet-JDV-J07-XdsTypeCode-CISIS.json']));
  });
});

describe('a SUSHI project that depends on mes-fhir.profiles', () => {
  it('mes-fhir fhir-package --install puts our package and its dependencies into the FHIR cache', () => {
    expect(installed.stderr).not.toMatch(/fhir-package:/);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/installed mes-fhir\.profiles#0\.1\.0 into .*mes-fhir\.profiles#0\.1\.0, with \d+ dependency packages/);
    for (const name of ['mes-fhir.profiles#0.1.0', 'hl7.fhir.fr.core#2.1.0', 'ans.fhir.fr.mesures#3.2.0', 'hl7.fhir.r4.core#4.0.1']) {
      expect(existsSync(join(home, '.fhir', 'packages', name, 'package', 'package.json')), name).toBe(true);
    }
    // the NOS value sets come from the repository (or @mes-fhir/definitions), not a registry
    const nos = JSON.parse(readFileSync(join(REPO_ROOT, 'generated', 'nos', 'package.json'), 'utf8')) as { version: string };
    expect(existsSync(join(home, '.fhir', 'packages', `mes-fhir.nos#${nos.version}`, 'package', 'ValueSet-JDV-J07-XdsTypeCode-CISIS.json'))).toBe(true);
  });

  it('compiles offline with 0 errors and derives from the MES profile with its snapshot', async () => {
    const project = join(work, 'vendor-project');
    await cp(join(REPO_ROOT, 'test', 'fixtures', 'dependent-sushi-project'), project, { recursive: true });
    const out = join(work, 'vendor-out');
    const sushi = await runSushi(project, out, home);
    expect(sushi.output).toMatch(/Loaded mes-fhir\.profiles#0\.1\.0 with \d+ resources/);
    expect(sushi.output).toMatch(/\b0 Errors\b/);
    expect(sushi.code).toBe(0);
    const sd = JSON.parse(await readFile(join(out, 'fsh-generated', 'resources', 'StructureDefinition-vendor-body-weight.json'), 'utf8')) as {
      baseDefinition: string;
      snapshot: { element: Array<{ id: string; min?: number; patternUri?: string; fixedUri?: string }> };
    };
    expect(sd.baseDefinition).toBe(MES_WEIGHT);
    const element = (id: string) => sd.snapshot.element.find((e) => e.id === id);
    expect(element('Observation.device')?.min).toBe(1);
    // inherited from the MES profile: the required MES canonical in meta.profile, the subject
    expect(element('Observation.meta.profile:mesCanonical')?.min).toBe(1);
    expect(element('Observation.subject')?.min).toBe(1);
  });

  it('mes-fhir init-fsh starts one that names every package it needs and compiles offline, an inherited ANS extension included', async () => {
    const project = join(work, 'init-fsh-project');
    const env = { FHIR_PACKAGE_MIRROR: mirrorDir(), FHIR_PACKAGE_CACHE: join(home, '.fhir', 'packages') };
    const init = await runCli(['init-fsh', project, '--canonical', 'https://vendor.example.org/fhir'], env);
    expect(init.stderr).not.toMatch(/init-fsh:/);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^next: npm install --save-dev fsh-sushi && npx sushi build /m);
    const config = await readFile(join(project, 'sushi-config.yaml'), 'utf8');
    // SUSHI loads only what is named: without the ANS package, the inherited extension would be unfolded from Extension
    for (const line of [
      'canonical: https://vendor.example.org/fhir',
      'mes-fhir.profiles: "0.1.0"',
      'ans.fhir.fr.mesures: "3.2.0"',
      'hl7.fhir.fr.core: "2.1.0"',
    ])
      expect(config).toContain(line);
    expect(config).not.toContain('hl7.fhir.r4.core');

    const out = join(work, 'init-fsh-out');
    const sushi = await runSushi(project, out, home);
    expect(sushi.output).toMatch(/\b0 Errors\b/);
    expect(sushi.output).not.toMatch(/could not find/);
    expect(sushi.code).toBe(0);
    const sd = JSON.parse(await readFile(join(out, 'fsh-generated', 'resources', 'StructureDefinition-my-body-weight.json'), 'utf8')) as {
      baseDefinition: string;
      snapshot: { element: Array<{ id: string; min?: number; type?: Array<{ profile?: string[] }> }> };
    };
    expect(sd.baseDefinition).toBe(MES_WEIGHT);
    const reason = sd.snapshot.element.find((e) => e.id === 'Observation.extension:MesReasonForMeasurement');
    expect(reason?.min).toBe(1);
    expect(reason?.type?.[0]?.profile).toEqual(['https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement']);

    // a folder that holds something is never written into
    const again = await runCli(['init-fsh', project], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/init-fsh-project is not empty: init-fsh starts a new project in a new or empty folder/);
    const badCanonical = await runCli(['init-fsh', join(work, 'other'), '--canonical', 'vendor'], env);
    expect(badCanonical.code).toBe(2);
    expect(badCanonical.stderr).toMatch(/--canonical must be an http\(s\) URL, not "vendor"/);
  });
});
