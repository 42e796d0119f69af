/**
 * `mes-fhir codegen` end to end: real SUSHI, an empty FHIR cache, the offline mirror.
 */
import { cp, mkdtemp, readFile, rm, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders, cachedPackageDir, type FhirResource } from '@mes-fhir/fhir-packages';
import type { Manifest } from '@mes-fhir/codegen';
import { REPO_ROOT, mirrorDir, nosSvsDir, runCli, snapshotTree, type CliResult } from './helpers/repo.js';

const MES = 'https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/';
const ANS = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/';
const FRCORE = 'https://hl7.fr/ig/fhir/core/StructureDefinition/';

/** The 11 measures: MES id → ANS parent id, and whether that parent derives from FrCore. */
const MEASURES: Array<[string, string, boolean]> = [
  ['mes-observation-bodyweight', 'mesures-fr-observation-body-weight', true],
  ['mes-observation-bodyheight', 'mesures-fr-observation-bodyheight', true],
  ['mes-observation-bmi', 'mesures-fr-observation-bmi', true],
  ['mes-observation-bp', 'mesures-fr-observation-bp', true],
  ['mes-observation-bodytemperature', 'mesures-fr-observation-body-temperature', true],
  ['mes-observation-heartrate', 'mesures-fr-observation-heartrate', true],
  ['mes-observation-glucose', 'mesures-observation-glucose', false],
  ['mes-observation-painseverity', 'mesures-observation-pain-severity', false],
  ['mes-observation-stepsbyday', 'mesures-observation-steps-by-day', false],
  ['mes-observation-waistcircumference', 'mesures-observation-waist-circumference', false],
  ['mes-observation-headcircumference', 'mesures-observation-head-circumference', false],
];

let work: string;
let cache: string;
let firstOut: string;
let first: CliResult;
let manifest: Manifest;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mes-fhir-e2e-'));
  cache = join(work, 'empty-cache');
  firstOut = join(work, 'out1');
  first = await runCli(['codegen', '--out', firstOut, '--ts-out', join(firstOut, 'ts'), '--docs-out', join(firstOut, 'docs')], {
    FHIR_PACKAGE_MIRROR: mirrorDir(),
    FHIR_PACKAGE_CACHE: cache,
    NOS_SVS_DIR: nosSvsDir(),
  });
  if (first.code === 0) manifest = JSON.parse(await readFile(join(firstOut, 'fhir', 'manifest.json'), 'utf8')) as Manifest;
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('codegen from an empty cache with the mirror', () => {
  it('succeeds and prints one progress line per step', () => {
    expect(first.stderr).not.toMatch(/codegen failed/);
    expect(first.code).toBe(0);
    const progress = first.stdout.split('\n').filter((l) => /^\[\d\/7\]/.test(l));
    expect(progress.map((l) => l.split(/\s+/)[1])).toEqual(['packages', 'nos', 'sushi', 'fhir', 'typescript', 'docs', 'swap']);
    expect(first.stdout).toMatch(/nos .* 49 value sets \(1573 concepts\)/);
    expect(first.stdout).toMatch(/installed from mirror/);
    expect(first.stdout).toMatch(/0 errors/);
  });

  it('filled the given cache in the layout SUSHI reads', async () => {
    const entries = (await readdir(cache)).sort();
    expect(entries).toEqual(expect.arrayContaining(['ans.fhir.fr.mesures#3.2.0', 'hl7.fhir.fr.core#2.1.0', 'hl7.fhir.r4.core#4.0.1']));
  });

  it('warns about the optional packages the mirror lacks, and uses the pinned PHD package for the one ANS asks', () => {
    expect(first.stderr).toMatch(/optional package ans\.fr\.nos#/);
    // ANS mesures declares hl7.fhir.uv.phd 1.0.0; sushi-config pins 1.1.0, which the mirror holds
    expect(first.stderr).not.toMatch(/hl7\.fhir\.uv\.phd/);
  });

  it('produces the 11 measure profiles, the Bundle and Documents profiles, each with a snapshot', async () => {
    const byMes = new Map(manifest.profiles.map((p) => [p.mesCanonical, p]));
    for (const [mesId] of MEASURES) expect(byMes.get(MES + mesId), mesId).toBeDefined();
    const bundles = manifest.profiles.filter((p) => p.type === 'Bundle').map((p) => p.id);
    expect(bundles.sort()).toEqual([
      'mes-bundle-appointment-searchset',
      'mes-bundle-document-searchset',
      'mes-bundle-feeding',
      'mes-bundle-provide-document',
      'mes-bundle-searchset',
    ]);
    expect(manifest.profiles.map((p) => p.id)).toEqual(
      expect.arrayContaining(['mes-appointment', 'mes-documentreference', 'mes-documentreference-comprehensive']),
    );
    // each profile's MES API is the FSH folder that defines it
    const apiOf = Object.fromEntries(manifest.profiles.map((p) => [p.id, p.api]));
    expect(apiOf).toMatchObject({
      'mes-observation-bodyweight': 'mesures',
      'mes-bundle-feeding': 'mesures',
      'mes-bundle-searchset': 'mesures',
      'mes-appointment': 'agenda',
      'mes-bundle-appointment-searchset': 'agenda',
      'mes-documentreference': 'documents',
      'mes-bundle-provide-document': 'documents',
    });
    for (const p of manifest.profiles) {
      const sd = JSON.parse(await readFile(join(firstOut, 'fhir', p.file), 'utf8')) as FhirResource & { snapshot?: { element: unknown[] } };
      expect(sd.snapshot?.element.length, p.id).toBeGreaterThan(10);
    }
  });

  it('chains each measure profile to its ANS parent, then FrCore where ANS uses it, then R4 Observation', () => {
    const layers = [
      { label: 'generated', dir: join(firstOut, 'fhir') },
      ...['ans.fhir.fr.mesures#3.2.0', 'ans.fhir.fr.gap#3.0.0', 'hl7.fhir.fr.core#2.1.0', 'hl7.fhir.r4.core#4.0.1'].map((id) => {
        const [name = '', version = ''] = id.split('#');
        return { label: id, dir: cachedPackageDir(cache, { name, version }) };
      }),
    ];
    const index = indexFolders(layers);
    for (const [mesId, ansId, viaFrCore] of MEASURES) {
      const ours = manifest.profiles.find((p) => p.mesCanonical === MES + mesId)!;
      const chain = index.baseChain(ours.url);
      expect(chain[1], mesId).toBe(ANS + ansId);
      const frCoreAt = chain.findIndex((url) => url.startsWith(FRCORE));
      const r4At = chain.indexOf('http://hl7.org/fhir/StructureDefinition/Observation');
      expect(frCoreAt >= 0, `${mesId} via FrCore`).toBe(viaFrCore);
      if (viaFrCore) expect(frCoreAt, mesId).toBeGreaterThan(1);
      expect(r4At, mesId).toBeGreaterThan(Math.max(1, frCoreAt));
      expect(chain.at(-1), mesId).toBe('http://hl7.org/fhir/StructureDefinition/Resource');
    }
  });

  it('writes every example, each claiming an MES profile of ours or carrying Bundle content', async () => {
    const files = (await readdir(join(firstOut, 'fhir', 'example'))).filter((f) => !f.startsWith('.')).sort();
    expect(files).toEqual(manifest.examples.map((e) => e.file.replace('example/', '')).sort());
    const mesCanonicals = new Set(manifest.profiles.map((p) => p.mesCanonical).filter(Boolean));
    const observations = manifest.examples.filter((e) => e.resourceType === 'Observation');
    // at least one example per measure profile
    for (const [mesId] of MEASURES)
      expect(
        observations.some((e) => e.claims.includes(MES + mesId)),
        mesId,
      ).toBe(true);
    for (const e of observations) expect(e.claims.every((c) => mesCanonicals.has(c))).toBe(true);
    expect(
      manifest.examples
        .filter((e) => e.resourceType === 'Bundle')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['ExampleAppointmentSearchResult', 'ExampleDocumentSearchResult', 'ExampleFeedingBundle', 'ExampleProvideDocumentBundle', 'ExampleSearchResult']);
  });

  it('is deterministic: a second run (warm cache) writes byte-identical files', async () => {
    const secondOut = join(work, 'out2');
    const second = await runCli(['codegen', '--out', secondOut, '--ts-out', join(secondOut, 'ts'), '--docs-out', join(secondOut, 'docs'), '--quiet'], {
      FHIR_PACKAGE_MIRROR: mirrorDir(),
      FHIR_PACKAGE_CACHE: cache,
      NOS_SVS_DIR: nosSvsDir(),
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
    const [a, b] = await Promise.all([snapshotTree(firstOut), snapshotTree(secondOut)]);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [file, content] of a) expect(b.get(file), file).toBe(content);
  });

  it.each([
    ['fhir', join('generated', 'fhir')],
    ['nos', join('generated', 'nos')],
    ['ts', join('packages', 'profiles', 'src', 'generated')],
    ['docs', join('docs-site', 'docs', 'reference')],
  ])('matches the committed output (%s)', async (outSub, committedDir) => {
    const [fresh, committed] = await Promise.all([snapshotTree(join(firstOut, outSub)), snapshotTree(join(REPO_ROOT, committedDir))]);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, content] of fresh) expect(committed.get(file), `${file} differs: run npm run codegen`).toBe(content);
  });

  it('generates types, schemas, invariants and the registry for every profile', async () => {
    const registry = await readFile(join(firstOut, 'ts', 'registry.ts'), 'utf8');
    for (const p of manifest.profiles) expect(registry).toContain(JSON.stringify(p.url));
    // types and schemas by MES API, each holding the profiles of its API
    for (const p of manifest.profiles) {
      const name = /name: "([^"]+)"/.exec(registry.slice(registry.indexOf(JSON.stringify(p.url))))![1]!;
      const types = await readFile(join(firstOut, 'ts', p.api!, 'types.ts'), 'utf8');
      const schemas = await readFile(join(firstOut, 'ts', p.api!, 'schemas.ts'), 'utf8');
      expect(types.split('\n')[0]).toMatch(/^\/\/ Generated by @mes-fhir\/codegen/);
      expect(types, p.id).toContain(`export interface ${name} `);
      expect(schemas, p.id).toContain(`export const ${name}Schema: z.ZodType<T.${name}> = R.agreeing<T.${name}>()(`);
    }
    expect(first.stdout).toMatch(/\d+ invariants compiled/);
  });

  it('writes a reference page per profile, with its examples', async () => {
    for (const p of manifest.profiles) {
      const page = await readFile(join(firstOut, 'docs', 'profils', `${p.id}.mdx`), 'utf8');
      expect(page).toContain(p.url);
    }
    const weight = await readFile(join(firstOut, 'docs', 'profils', 'mes-observation-bodyweight.mdx'), 'utf8');
    expect(weight).toContain('ExampleBodyWeight');
    expect(weight).toMatch(/## Invariants[\s\S]*mes-source-oid/);
    // the feeding Bundle's page lists what PhdDevice requires of its Device
    const feeding = await readFile(join(firstOut, 'docs', 'profils', 'mes-bundle-feeding.mdx'), 'utf8');
    expect(feeding).toMatch(
      /## Profil PhdDevice exigé[\s\S]*identifier:systemIdIdentifier\.system` \| 1\.\.1 \| `"urn:oid:1\.2\.840\.10004\.1\.1\.1\.0\.0\.1\.0\.0\.1\.2680"`/,
    );
    expect(feeding).toMatch(/`specialization\.version` \| 1\.\.1/);
    // each page's TypeScript: the builder of the profile as its @example writes it, from the API's entry point
    const document = await readFile(join(firstOut, 'docs', 'profils', 'mes-documentreference.mdx'), 'utf8');
    expect(document).toContain("import { documentReference, type MesDocumentReference } from '@mes-fhir/profiles/documents';");
    expect(document).toContain('const resource: MesDocumentReference = await documentReference({ cda, patient });');
    expect(weight).toContain('const resource: MesObservationBodyWeight = bodyWeight({ patient, effective, kg: 72.5 });');
  });
});

describe('codegen failures leave the previous output untouched', () => {
  it('reports a FSH error with file and line and exits non-zero', async () => {
    const project = join(work, 'broken-project');
    await cp(join(REPO_ROOT, 'fsh'), project, { recursive: true });
    await cp(join(REPO_ROOT, 'test', 'fixtures', 'fsh', 'broken-unit.fsh'), join(project, 'input', 'fsh', 'mesures', 'broken.fsh'));
    const out = join(work, 'out-kept');
    await cp(firstOut, out, { recursive: true });
    const before = await snapshotTree(out);
    const result = await runCli(['codegen', '--project', project, '--out', out, '--ts-out', join(out, 'ts'), '--docs-out', join(out, 'docs')], {
      FHIR_PACKAGE_MIRROR: mirrorDir(),
      FHIR_PACKAGE_CACHE: cache,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/codegen failed at step "sushi"/);
    expect(result.stderr).toMatch(/broken\.fsh:4: error: /);
    const after = await snapshotTree(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, content] of before) expect(after.get(file)).toBe(content);
  });

  it('names a NOS SVS file that cannot be read, and keeps the NOS package and everything else', async () => {
    const svs = join(work, 'broken-svs');
    await cp(nosSvsDir(), svs, { recursive: true });
    await writeFile(join(svs, 'JDV_J999_Broken.xml'), '<RetrieveValueSetResponse><ValueSet id="not-an-oid"/></RetrieveValueSetResponse>');
    const out = join(work, 'out-kept-nos');
    await cp(firstOut, out, { recursive: true });
    const before = await snapshotTree(out);
    const result = await runCli(['codegen', '--out', out, '--ts-out', join(out, 'ts'), '--docs-out', join(out, 'docs'), '--nos-svs', svs], {
      FHIR_PACKAGE_MIRROR: mirrorDir(),
      FHIR_PACKAGE_CACHE: cache,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/codegen failed at step "nos"/);
    expect(result.stderr).toMatch(/JDV_J999_Broken\.xml: ValueSet\/@id "not-an-oid" is not an OID/);
    const after = await snapshotTree(out);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, content] of before) expect(after.get(file)).toBe(content);
  });

  it('names a required package the mirror lacks, with every place looked', async () => {
    const partialMirror = join(work, 'partial-mirror');
    await cp(mirrorDir(), partialMirror, { recursive: true, filter: (src) => !src.endsWith('hl7.fhir.fr.core-2.1.0.tgz') });
    const emptyCache = join(work, 'another-empty-cache');
    const out = join(work, 'out-missing');
    const result = await runCli(['codegen', '--out', out, '--ts-out', join(out, 'ts'), '--docs-out', join(out, 'docs')], {
      FHIR_PACKAGE_MIRROR: partialMirror,
      FHIR_PACKAGE_CACHE: emptyCache,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/codegen failed at step "packages"/);
    expect(result.stderr).toContain('hl7.fhir.fr.core#2.1.0 was not found');
    expect(result.stderr).toContain(join(partialMirror, 'hl7.fhir.fr.core-2.1.0.tgz'));
    expect(result.stderr).toContain(join(emptyCache, 'hl7.fhir.fr.core#2.1.0'));
    await expect(readdir(out)).rejects.toThrow();
  });

  it('rejects bad options with the usage text and exit code 2', async () => {
    const result = await runCli(['codegen', '--quiet', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage: mes-fhir codegen/);
    const unknown = await runCli(['codegen', '--nope']);
    expect(unknown.code).toBe(2);
    const noCommand = await runCli(['frobnicate']);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('--version prints the version of @mes-fhir/cli', async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`mes-fhir ${version}\n`);
  });
});
