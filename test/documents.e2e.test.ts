/**
 * API Documents end to end: our profiles on PDSm, the official PDSm and MHD examples, CDA R2 →
 * DocumentReference builders, the validator's CDA cross-check, the zod schemas and the CLI.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders, projectLayers, type InstallResult } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';
import { buildCdaLevel1, checkResource, documentReference, provideDocumentBundle, type CdaHeader, type LotDocument } from '@mes-fhir/profiles';
import { REPO_ROOT, loadRepoIndex, runCli } from './helpers/repo.js';

const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const BASE = 'https://mes-fhir.org/fhir/StructureDefinition/';
const PUBLISH = `${BASE}mes-documentreference`;
const LOT = `${BASE}mes-bundle-provide-document`;
const SEARCH = `${BASE}mes-bundle-document-searchset`;
const NOS = 'https://mos.esante.gouv.fr/NOS/';

let validator: Validator;
/** The package set a vendor's Validator.load() reads: with the NOS value sets that ship with mes-fhir. */
let asVendors: Validator;
let packages: InstallResult;
let work: string;
const errors = (r: unknown, profile?: string) => validator.validateToIssues(r, { profile }).filter((i) => i.severity === 'error' || i.severity === 'fatal');
const example = (name: string) => JSON.parse(readFileSync(join(GENERATED, 'example', name), 'utf8')) as Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);

const patient = { oid: '2.999.1.2.3', idPe: 'IDPE-7F3A92C4' };
const header: CdaHeader = {
  id: { root: '2.999.1.2.3.9.7' },
  type: { code: '11488-4', displayName: 'Note de consultation' },
  title: 'Compte rendu de téléconsultation',
  effectiveTime: '2026-03-20T09:00:00+01:00',
  patient: { id: { root: patient.oid, extension: patient.idPe } },
  author: { id: { root: '2.999.1.2.3.7', extension: 'APP-SUIVI' }, device: { model: 'Suivi Santé', software: 'Suivi Santé 4.2' } },
  custodian: { id: { root: '2.999.1.2.3' }, name: 'Éditeur Exemple' },
};
const level1 = buildCdaLevel1(header, { pdf: new TextEncoder().encode('%PDF-1.7 compte rendu') });
const level3 = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'documents', 'cda-level3.xml'), 'utf8');
const lotDocument = (cda: string): LotDocument => ({
  cda,
  category: { system: `${NOS}TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument`, code: '10', display: 'Compte rendu' },
  facilityType: { system: `${NOS}TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS`, code: 'PATIENT', display: 'Patient' },
  practiceSetting: { system: `${NOS}TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS`, code: 'PATIENT', display: 'Patient' },
});
const lot = (documents: LotDocument[]) =>
  provideDocumentBundle({
    documents,
    patient,
    app: { oid: '2.999.1.2.3.7', id: 'APP-SUIVI', name: 'Suivi Santé' },
    authenticator: { name: 'Éditeur Exemple', identifier: { system: 'urn:oid:2.999.1.2.3', value: 'EDITEUR' } },
    submissionSetOid: '2.999.1.2.3.9.101',
    designationType: { system: `${NOS}TRE_A04-Loinc/FHIR/TRE-A04-Loinc`, code: '11488-4', display: 'Note de consultation' },
    date: '2026-03-20T09:05:00+01:00',
  });

beforeAll(async () => {
  const loaded = await loadRepoIndex();
  packages = loaded.packages;
  validator = new Validator(indexFolders(projectLayers(packages, GENERATED)));
  asVendors = new Validator(loaded.index);
  work = await mkdtemp(join(tmpdir(), 'mes-fhir-documents-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('our Documents examples', () => {
  it.each([
    ['DocumentReference-ExampleDocumentReference.json', PUBLISH],
    ['Bundle-ExampleProvideDocumentBundle.json', LOT],
    ['Bundle-ExampleDocumentSearchResult.json', SEARCH],
  ])('%s validates against %s, with the validator and the zod schema', (file, profile) => {
    expect(errors(example(file), profile)).toEqual([]);
    expect(checkResource(example(file), profile).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('official PDSm and MHD examples of the profiles ours derive from', () => {
  /** Faults of the published examples, by file: the errors they must give, and only those. */
  const FAULTY: Record<string, RegExp[]> = {
    // size 250000 and the SHA-1 of an empty string, for an inline "Hello World"
    'DocumentReference-PDSmSimplifiedExample.json': [/size 250000 does not match the document, which has 11 bytes/, /hash .* is not the SHA-1 of the document/],
    // contained resources with meta.lastUpdated (dom-4), and a contained Practitioner nothing refers to (dom-3)
    'DocumentReference-exemple-pdsm-documentreference.json': [/^dom-3/, /^dom-4/],
    'List-ExampleSubmissionSet.json': [/^dom-4/],
    // the fullUrl names ex-DocumentReferenceMinimal, the resource is in-DocumentReferenceMinimal
    'Bundle-ex-findDocumentReferencesResponse.json': [/fullUrl .* does not match the entry's resource/],
  };
  /** Examples of profiles ours do not derive from (MHD patch of a DocumentReference, minimal flavours…). */
  const OUT_OF_SCOPE = /Patch|Replace|Parameters|response-|ListsResponse|Minimal|UnContained|dummy/;

  const examples = (): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    for (const p of packages.packages.filter((x) => x.name === 'ans.fhir.fr.pdsm' || x.name === 'ihe.iti.mhd')) {
      const dir = join(p.dir, 'example');
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => /^(DocumentReference|Bundle|List)-.*\.json$/.test(n) && !OUT_OF_SCOPE.test(n)))
        out.push([f, join(dir, f)]);
    }
    return out;
  };

  it('covers both packages', () => {
    const files = examples().map(([f]) => f);
    expect(files).toContain('DocumentReference-PDSmSimplifiedExample.json');
    expect(files).toContain('Bundle-ex-comprehensiveProvideDocumentBundleSimple.json');
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it('each validates, or gives exactly the documented faults', () => {
    // an implementation guide's examples are validated as its publisher does: example URLs allowed
    const forExamples = new Validator(validator.index, ['generated'], { allowExampleUrls: true });
    for (const [file, path] of examples()) {
      const found = forExamples
        .validateToIssues(JSON.parse(readFileSync(path, 'utf8')))
        .filter((i) => i.severity === 'error' || i.severity === 'fatal')
        .map((i) => i.message);
      const expected = FAULTY[file] ?? [];
      expect(found.length, `${file}: ${found.join(' | ')}`).toBe(expected.length);
      for (const re of expected)
        expect(
          found.some((m) => re.test(m)),
          `${file}: ${re}`,
        ).toBe(true);
    }
  });
});

describe('builders: CDA R2 → DocumentReference → validator', () => {
  it('a level-1 PDF document publishes as a valid DocumentReference, its metadata read from the CDA', async () => {
    const dr = await documentReference({ cda: level1, patient });
    expect(dr.type.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '11488-4' });
    expect(dr.content[0]!.format).toMatchObject({ code: 'urn:ihe:iti:xds-sd:pdf:2008' });
    expect(dr.content[0]!.attachment).toMatchObject({
      contentType: 'text/xml',
      title: 'Compte rendu de téléconsultation',
      creation: '2026-03-20T09:00:00+01:00',
      size: new TextEncoder().encode(level1).length,
    });
    expect(dr.author[0]).toMatchObject({ type: 'Device', identifier: { system: 'urn:oid:2.999.1.2.3.7', value: 'APP-SUIVI' } });
    expect(errors(dr, PUBLISH)).toEqual([]);
    expect(checkResource(dr, PUBLISH).valid).toBe(true);
  });

  it('a level-3 document needs its format code, then publishes', async () => {
    await expect(documentReference({ cda: level3, patient })).rejects.toThrow(/level-3 CDA document needs its format code/);
    const dr = await documentReference({
      cda: level3,
      patient,
      format: { system: 'urn:oid:1.2.250.1.213.1.1.4.2.282', code: 'urn:example:questionnaire:1.0' },
    });
    expect(dr.masterIdentifier).toEqual({ system: 'urn:oid:2.999.1.2.3.9.3', value: 'Q-2026-0042' });
    expect(dr.securityLabel?.[0]?.coding?.[0]?.code).toBe('R');
    expect(errors(dr, PUBLISH)).toEqual([]);
  });

  it('a lot of two documents (ITI-65) validates, each CDA checked through its Binary', async () => {
    const bundle = await lot([
      lotDocument(level1),
      { ...lotDocument(level3), format: { system: 'urn:oid:1.2.250.1.213.1.1.4.2.282', code: 'urn:example:questionnaire:1.0' } },
    ]);
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual(['List', 'DocumentReference', 'DocumentReference', 'Binary', 'Binary']);
    expect(errors(bundle, LOT)).toEqual([]);
    expect(checkResource(bundle, LOT).issues.filter((i) => i.severity === 'error')).toEqual([]);
    // the Binary no longer matches its DocumentReference's header
    const swapped = clone(bundle);
    const [b1, b2] = [swapped.entry![3]!.resource as { data: string }, swapped.entry![4]!.resource as { data: string }];
    [b1.data, b2.data] = [b2.data, b1.data];
    expect(
      errors(swapped, LOT)
        .map((i) => i.message)
        .join('\n'),
    ).toMatch(/does not match the CDA document's code/);
  });

  it('the builders validate with no warning: a narrative on each resource (none asked of contained ones), media types checked', async () => {
    const notQuiet = (r: unknown, profile: string) =>
      asVendors
        .validateToIssues(r, { profile })
        .filter((i) => i.severity !== 'information')
        .map((i) => `${i.location} ${i.message}`);
    const dr = await documentReference({ cda: level1, patient });
    expect(dr.text?.div).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml"><p>Compte rendu de téléconsultation</p><p>Note de consultation</p><p>2026-03-20T09:00:00+01:00</p></div>',
    );
    expect(notQuiet(dr, PUBLISH)).toEqual([]);
    expect(notQuiet(await lot([lotDocument(level1)]), LOT)).toEqual([]);
    // a content type that is no media type is refused (BCP 13 is a grammar, checked offline)
    // and "json", which R4 allows in CapabilityStatement.format only, is no media type here
    for (const contentType of ['pdf', 'json']) {
      const wrong = clone(dr) as Record<string, any>;
      wrong.content[0].attachment.contentType = contentType;
      expect(notQuiet(wrong, PUBLISH)).toContainEqual(
        `DocumentReference.content[0].attachment.contentType "${contentType}" is not in the required value set http://hl7.org/fhir/ValueSet/mimetypes|4.0.1`,
      );
    }
  });

  it('a document that is not a CDA is refused by the builder with the reason', async () => {
    await expect(documentReference({ cda: '<html><body>compte rendu</body></html>', patient })).rejects.toThrow(/root element is html, not ClinicalDocument/);
  });
});

describe('each MES rule of a published document, caught', () => {
  let dr: Record<string, any>;
  beforeAll(() => {
    dr = example('DocumentReference-ExampleDocumentReference.json');
  });
  const messages = (r: unknown) =>
    errors(r, PUBLISH)
      .map((i) => `${i.location}: ${i.message}`)
      .join('\n');
  const zod = (r: unknown) =>
    checkResource(r, PUBLISH)
      .issues.filter((i) => i.severity === 'error')
      .map((i) => `${i.location}: ${i.message}`)
      .join('\n');

  it('content type other than text/xml (a CDA)', () => {
    const r = clone(dr);
    r.content[0].attachment.contentType = 'application/pdf';
    expect(messages(r)).toMatch(/contentType/);
    expect(zod(r)).toMatch(/contentType/);
  });

  it('patient not identified as after pairing', () => {
    const r = clone(dr);
    r.subject = { reference: 'Patient/123' };
    expect(messages(r)).toMatch(/subject\.identifier: minimum required = 1/);
    expect(zod(r)).toMatch(/subject/);
  });

  it('size that is not the size of the data (mes-doc-size, and the validator)', () => {
    const r = clone(dr);
    r.content[0].attachment.size = 10;
    expect(messages(r)).toMatch(/size 10 does not match the document/);
    expect(zod(r)).toMatch(/mes-doc-size/);
    expect(zod(r)).toMatch(/size 10 does not match the document/);
  });

  it('hash that is not the SHA-1 of the data', () => {
    const r = clone(dr);
    r.content[0].attachment.hash = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    expect(messages(r)).toMatch(/hash .* is not the SHA-1 of the document/);
  });

  it.each([
    [
      'type',
      (r: any) => (r.type.coding[0].code = '34133-9'),
      /DocumentReference\.type: the document type .*34133-9 does not match the CDA document's code .*11488-4/,
    ],
    [
      'patient',
      (r: any) => (r.subject.identifier.value = 'IDPE-OTHER'),
      /subject\.identifier: the patient .*IDPE-OTHER is not the patient of the CDA document/,
    ],
    [
      'creation time',
      (r: any) => (r.content[0].attachment.creation = '2026-03-19T10:15:00+01:00'),
      /attachment\.creation: creation .* is not the CDA document's effectiveTime/,
    ],
    [
      'format',
      (r: any) => (r.content[0].format.code = 'urn:ihe:iti:xds-sd:pdf:2008'),
      /format urn:ihe:iti:xds-sd:pdf:2008 does not match the CDA body \(text\/plain\)/,
    ],
  ])('%s that disagrees with the CDA header', (_label, mutate, message) => {
    const r = clone(dr);
    mutate(r);
    expect(messages(r)).toMatch(message);
    expect(zod(r)).toMatch(message);
  });

  it.each([
    ['not well-formed XML', '<ClinicalDocument><title>x</ClinicalDocument>', /not a readable CDA R2 document: the CDA document is not well-formed XML/],
    ['not a ClinicalDocument', '<?xml version="1.0"?><Bundle xmlns="http://hl7.org/fhir"/>', /not a readable CDA R2 document: the root element is Bundle/],
  ])('an attached document that is %s is an issue, not a throw', (_label, xml, message) => {
    const r = clone(dr);
    r.content[0].attachment.data = Buffer.from(xml).toString('base64');
    expect(() => validator.validate(r)).not.toThrow();
    expect(messages(r)).toMatch(message);
    expect(zod(r)).toMatch(message);
  });
});

type Fixture = { description: string; profile: string; resource: unknown; expect: Array<{ location?: string; key?: string; messageIncludes?: string }> };
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'documents', 'invalid');
const fixtures = readdirSync(FIXTURES).map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Fixture);

describe('invalid Documents fixtures', () => {
  it('there are fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(6));
  it.each(fixtures.map((f) => [f.description, f] as const))('%s: rejected where expected, by the validator and checkResource', (_d, fixture) => {
    const found = errors(fixture.resource, fixture.profile);
    for (const e of fixture.expect) {
      const match = found.some(
        (i) => (!e.location || i.location === e.location) && (!e.key || i.key === e.key) && (!e.messageIncludes || i.message.includes(e.messageIncludes)),
      );
      expect(match, `${JSON.stringify(e)} in ${JSON.stringify(found.map((i) => [i.location, i.key, i.message]))}`).toBe(true);
    }
    expect(checkResource(fixture.resource, fixture.profile).valid).toBe(false);
  });
});

describe('mes-fhir validate --cda', () => {
  it('checks a DocumentReference against the CDA file given beside it', async () => {
    const dr = example('DocumentReference-ExampleDocumentReference.json');
    const cdaFile = join(work, 'compte-rendu.xml');
    await writeFile(cdaFile, Buffer.from(dr.content[0].attachment.data, 'base64'));
    delete dr.content[0].attachment.data;
    dr.content[0].attachment.url = 'https://documents.mes-fhir.test/compte-rendu.xml';
    const drFile = join(work, 'dr.json');
    await writeFile(drFile, JSON.stringify(dr));
    // no profile claimed (ours wants the data inline): the base rules, and the CDA cross-check
    const ok = await runCli(['validate', drFile, '--cda', cdaFile]);
    expect(ok.stdout).not.toMatch(/CDA|SHA-1|does not match/);
    expect(ok.code).toBe(0);
    const other = join(work, 'other.xml');
    await writeFile(other, buildCdaLevel1({ ...header, type: { code: '34133-9', displayName: 'Synthèse' } }, { text: 'x' }));
    const bad = await runCli(['validate', drFile, '--cda', other]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/does not match the CDA document's code/);
    expect(bad.stdout).toMatch(/is not the SHA-1 of the document/);
  });
});
