/**
 * Families of errors the HL7 Java validator reports that ours missed (issue "validator fidelity"):
 * Bundle rules (duplicate resources, fullUrl against the resource, references inside documents),
 * minValue/maxValue/maxLength, Attachment.size against its data, slicing by type and by profile,
 * markdown and string warnings, SearchParameter and CapabilityStatement rules, extension contexts,
 * and profiles given with only a differential. Each family has cases that must fail for the right reason and cases that must pass.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'validator-fidelity');
const LIMITS = 'https://example.org/fhir/StructureDefinition/limits-observation';
const QUANTITY_LIMIT = 'https://example.org/fhir/StructureDefinition/limits-quantity';
let validator: Validator;

beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  validator = new Validator(indexFolders([{ label: 'fixtures', dir: FIXTURES }, ...projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir'))]), [
    'generated',
    'fixtures',
  ]);
});

const errors = (resource: unknown, profile?: string) =>
  validator
    .validateToIssues(resource, profile ? { profile } : {})
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.location}: ${i.message}`);

const patient = (id: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', id, ...extra });
const observation = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra });
const COMPOSITION_URL = 'urn:uuid:9d3a5c1e-7b2f-4e8a-9c1d-2e3f4a5b6c7d';
const PATIENT_URL = 'urn:uuid:4f6e8a2b-1c3d-4e5f-9a7b-8c9d0e1f2a3b';
/** A document Bundle: a Composition (c1) about `subject`, the Patient p1, then `more` entries. */
const documentBundle = (
  subject: string,
  fullUrls = [COMPOSITION_URL, PATIENT_URL],
  more: Array<{ fullUrl: string; resource: Record<string, unknown> }> = [],
) => ({
  resourceType: 'Bundle',
  type: 'document',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c3a9f1e-5b6d-4e7f-8a9b-1c2d3e4f5a6b' },
  timestamp: '2026-03-18T10:15:00+01:00',
  entry: [
    {
      fullUrl: fullUrls[0],
      resource: {
        resourceType: 'Composition',
        id: 'c1',
        status: 'final',
        type: { text: 'Note' },
        date: '2026-03-18',
        author: [{ display: 'Dr X' }],
        title: 'Note',
        subject: { reference: subject },
      },
    },
    { fullUrl: fullUrls[1], resource: patient('p1') },
    ...more,
  ],
});

describe('Bundle rules', () => {
  it('refuses two entries holding the same resource, unless versions or a history say otherwise', () => {
    // a resource is known by its fullUrl (bdl-7: one fullUrl twice), and by its type and id when
    // it has none; two fullUrls are two resources even with one type and id (the HL7 validator, #26)
    const bundle = (type: string, a: Record<string, unknown>, b: Record<string, unknown>, urls: Array<string | undefined> = [undefined, undefined]) => ({
      resourceType: 'Bundle',
      type,
      entry: [
        { ...(urls[0] ? { fullUrl: urls[0] } : {}), resource: a },
        { ...(urls[1] ? { fullUrl: urls[1] } : {}), resource: b },
      ],
    });
    expect(errors(bundle('collection', patient('p1'), patient('p1')))).toEqual([
      'Bundle.entry[1].resource.id: duplicate resource Patient/p1 in the Bundle (also entry[0])',
    ]);
    const url = 'http://example.org/fhir/Patient/p1';
    expect(errors(bundle('collection', patient('p1'), patient('p1'), [url, url]))).toEqual([
      'Bundle: bdl-7: FullUrl must be unique in a bundle, or else entries with the same fullUrl must have different meta.versionId (except in history bundles)',
    ]);
    expect(errors(bundle('collection', patient('p1'), patient('p1'), [url, 'urn:uuid:2b8a7f1e-0c4d-4a55-9e43-5d2f1c0b9a11']))).toEqual([]);
    expect(errors(bundle('collection', patient('p1'), patient('p2')))).toEqual([]);
    expect(errors(bundle('collection', patient('p1', { meta: { versionId: '1' } }), patient('p1', { meta: { versionId: '2' } })))).toEqual([]);
    expect(errors(bundle('history', patient('p1'), patient('p1')))).not.toContainEqual(expect.stringContaining('duplicate'));
  });

  it('refuses a RESTful fullUrl that names another resource', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'http://example.org/fhir/Patient/other', resource: patient('p1') }] };
    expect(errors(bundle)).toEqual(["Bundle.entry[0].fullUrl: fullUrl http://example.org/fhir/Patient/other does not match the entry's resource Patient/p1"]);
  });

  it('requires the references of a document to resolve inside it, by the fullUrl rules', () => {
    const PATIENT = PATIENT_URL;
    const document = (subject: string, fullUrls?: string[]) => documentBundle(subject, fullUrls);
    // the reference is outside the document, and the Patient entry is then linked to nothing
    const outside = (reference: string, patientUrl = PATIENT) => [
      `Bundle.entry[0].resource.subject.reference: "${reference}" is not in the document Bundle: a document's references resolve inside it`,
      `Bundle.entry[1]: entry ${patientUrl} is not reachable from the Composition by following references (forward or backward): a document holds only what it is about`,
    ];
    // urn:uuid fullUrls: only the URN names the entry; Patient/p1 would be urn:uuid:p1 (#26)
    expect(errors(document(PATIENT))).toEqual([]);
    expect(errors(document('Patient/p1'))).toEqual(outside('Patient/p1'));
    // RESTful fullUrls: a relative reference resolves against the referencing entry's base
    const restful = ['http://example.org/fhir/Composition/c1', 'http://example.org/fhir/Patient/p1'];
    expect(errors(document('Patient/p1', restful))).toEqual([]);
    expect(errors(document('http://example.org/fhir/Patient/p1', restful))).toEqual([]);
    // a versioned reference names the resource's entry
    expect(errors(document('Patient/p1/_history/1', restful))).toEqual([]);
    expect(errors(document('Patient/p2/_history/1', restful))).toEqual(outside('Patient/p2/_history/1', restful[1]));
    expect(errors(document('Patient/p2', restful))).toEqual(outside('Patient/p2', restful[1]));
    // another server's base is another server
    const elsewhere = ['http://example.org/fhir/Composition/c1', 'http://other.org/fhir/Patient/p1'];
    expect(errors(document('Patient/p1', elsewhere))).toEqual(outside('Patient/p1', elsewhere[1]));
  });

  it('checks a Quantity bound in the same unit, and restricts a choice named by its type', () => {
    const q = (value: number) => observation({ valueQuantity: { value, system: 'http://unitsofmeasure.org', code: 'kg', unit: 'kg' } });
    expect(errors(q(80), QUANTITY_LIMIT)).toEqual([]);
    expect(errors(q(301), QUANTITY_LIMIT)).toEqual([
      'Observation.valueQuantity: value {"value":301,"system":"http://unitsofmeasure.org","code":"kg","unit":"kg"} is above the maximum {"value":300,"system":"http://unitsofmeasure.org","code":"kg"}',
    ]);
    // LIMITS names valueInteger: value[x] is closed to integer there
    expect(errors(observation({ valueString: 'seven' }), LIMITS).join('\n')).toMatch(/valueString/);
  });
});

describe('Attachment.size', () => {
  it('must be the size of the data the attachment carries', () => {
    const photo = (size: number) => patient('p1', { photo: [{ contentType: 'text/plain', data: 'SGVsbG8=', size }] });
    expect(errors(photo(5))).toEqual([]);
    expect(errors(photo(6))).toEqual(['Patient.photo[0]: Attachment.size 6 does not match the size of its data (5 bytes)']);
  });
});

describe('slicing by type and by profile', () => {
  const TYPED = 'https://example.org/fhir/StructureDefinition/typed-components';
  const COLLECTION = 'https://example.org/fhir/StructureDefinition/patient-collection';
  const component = (value: Record<string, unknown>) => ({ code: { text: 'c' }, ...value });

  it('sorts components by the type of their value (a choice named by its type)', () => {
    expect(errors(observation({ component: [component({ valueQuantity: { value: 1 } }), component({ valueString: 'n' })] }), TYPED)).toEqual([]);
    expect(errors(observation({ component: [component({ valueString: 'n' })] }), TYPED)).toEqual([
      'Observation.component: Observation.component:measured: minimum required = 1, but only found 0',
    ]);
    expect(
      errors(observation({ component: [component({ valueQuantity: { value: 1 } }), component({ valueString: 'a' }), component({ valueString: 'b' })] }), TYPED),
    ).toEqual(['Observation.component: Observation.component:note: maximum allowed = 1, but found 2']);
    // a boolean value fits no slice, which an open slicing allows
    expect(errors(observation({ component: [component({ valueBoolean: true })] }), TYPED)).toEqual([
      'Observation.component: Observation.component:measured: minimum required = 1, but only found 0',
    ]);
  });

  it('matches a Bundle entry to a slice by the profile of its resource, a subtype of Resource', () => {
    const bundle = (...resources: unknown[]) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });
    expect(errors(bundle(patient('a', { name: [{ family: 'Martin' }] }), observation({ id: 'o' })), COLLECTION)).toEqual([]);
    const missing = 'Bundle.entry: Bundle.entry:named: minimum required = 1, but only found 0';
    // a Patient without a name does not meet the slice's profile; an Observation is not even a Patient
    expect(errors(bundle(patient('a')), COLLECTION)).toEqual([missing]);
    expect(errors(bundle(observation({ id: 'o' })), COLLECTION)).toEqual([missing]);
  });
});

describe('markdown and strings', () => {
  const warnings = (resource: unknown) =>
    validator
      .validateToIssues(resource)
      .filter((i) => i.severity === 'warning' && i.key !== 'dom-6')
      .map((i) => `${i.location}: ${i.message}`);

  it('warns on HTML inside markdown and on strings padded with whitespace, as the Java validator does by default', () => {
    const note = (text: string) => observation({ note: [{ text }] });
    expect(warnings(note('**2** tablets, < 3 a day'))).toEqual([]);
    expect(warnings(note('take <b>two</b>'))).toEqual([
      'Observation.note[0].text: the markdown embeds what looks like an HTML tag (<b>), which presentation layers will escape: check that this is intended',
    ]);
    expect(errors(note('take <b>two</b>'))).toEqual([]);
    expect(warnings(patient('p', { name: [{ family: 'Martin ' }] }))).toEqual(['Patient.name[0].family: the value should not start or finish with whitespace']);
  });
});

describe('internal rules of conformance resources', () => {
  const derived = (extra: Record<string, unknown>) => ({
    resourceType: 'SearchParameter',
    url: 'https://fhir.mes-fhir.test/SearchParameter/child-code',
    name: 'ChildCode',
    status: 'draft',
    description: 'Derived',
    code: 'child-code',
    derivedFrom: 'https://fhir.mes-fhir.test/SearchParameter/parent-code',
    base: ['Observation'],
    type: 'token',
    expression: 'Observation.code',
    ...extra,
  });

  it('checks a derived SearchParameter against the one it derives from, and its FHIRPath', () => {
    expect(errors(derived({}))).toEqual([]);
    expect(errors(derived({ type: 'string' }))).toEqual(['SearchParameter.type: type string differs from the type of the parameter it derives from (token)']);
    expect(errors(derived({ base: ['Patient'], expression: 'Patient.name' }))).toEqual([
      'SearchParameter.base[0]: base Patient is not a base of the parameter it derives from (Observation, Condition)',
    ]);
    expect(errors(derived({ expression: 'Observation.code.where(' }))[0]).toMatch(/^SearchParameter\.expression: the expression is not valid FHIRPath: /);
    const unknownParent = validator.validateToIssues(derived({ derivedFrom: 'https://fhir.mes-fhir.test/SearchParameter/nowhere' }));
    expect(unknownParent.filter((i) => i.severity === 'error')).toEqual([]);
    expect(unknownParent.some((i) => i.severity === 'warning' && i.location === 'SearchParameter.derivedFrom')).toBe(true);
  });

  it('checks the type a CapabilityStatement gives a search parameter against its definition', () => {
    const capability = (type: string) => ({
      resourceType: 'CapabilityStatement',
      status: 'draft',
      date: '2026-11-25',
      kind: 'instance',
      implementation: { description: 'test server' },
      fhirVersion: '4.0.1',
      format: ['json'],
      rest: [
        {
          mode: 'server',
          resource: [
            { type: 'Observation', searchParam: [{ name: 'parent-code', definition: 'https://fhir.mes-fhir.test/SearchParameter/parent-code', type }] },
          ],
        },
      ],
    });
    expect(errors(capability('token'))).toEqual([]);
    expect(errors(capability('string'))).toEqual([
      'CapabilityStatement.rest[0].resource[0].searchParam[0].type: search parameter https://fhir.mes-fhir.test/SearchParameter/parent-code has type token, not string',
    ]);
  });
});

describe('extension contexts', () => {
  const note = (id: string) => ({ url: `https://example.org/fhir/StructureDefinition/${id}`, valueString: 'n' });

  it('accepts a data type context on the types derived from it, and a choice element named with [x]', () => {
    const age = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p' },
      onsetAge: { value: 40, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a', extension: [note('quantity-note')] },
    };
    expect(errors(age)).toEqual([]);
    expect(errors(observation({ valueQuantity: { value: 1, extension: [note('value-note')] } }))).toEqual([]);
    expect(errors(observation({ extension: [note('quantity-note')] }))).toEqual([
      'Observation.extension[0]: extension https://example.org/fhir/StructureDefinition/quantity-note is not allowed on Observation (its contexts: Quantity)',
    ]);
  });

  it('reads the FHIR versions a context is marked for: an R5-only context does not apply to R4', () => {
    expect(errors(observation({ extension: [note('versioned-note')] }))).toEqual([]);
    expect(errors(patient('p', { extension: [note('versioned-note')] }))).toEqual([
      'Patient.extension[0]: extension https://example.org/fhir/StructureDefinition/versioned-note is not allowed on Patient (its contexts: Observation)',
    ]);
  });
});

describe('a document: every entry is linked to the Composition', () => {
  const PATIENT = PATIENT_URL;
  const OBSERVATION = 'urn:uuid:6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const STRAY = 'urn:uuid:7b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
  const document = (...more: Array<{ fullUrl: string; resource: Record<string, unknown> }>) => documentBundle(PATIENT, undefined, more);
  const measure = (subject: string) => observation({ subject: { reference: subject } });

  it('refuses an entry nothing links to the Composition', () => {
    expect(errors(document({ fullUrl: STRAY, resource: patient('p2') }))).toEqual([
      `Bundle.entry[2]: entry ${STRAY} is not reachable from the Composition by following references (forward or backward): a document holds only what it is about`,
    ]);
  });

  it('accepts entries linked forward (the Composition names them) or backward (they name a linked entry)', () => {
    expect(errors(document())).toEqual([]);
    // the Observation names the Patient, which the Composition names: linked backward
    expect(errors(document({ fullUrl: OBSERVATION, resource: measure(PATIENT) }))).toEqual([]);
    // a collection has no Composition to be linked to
    expect(errors({ ...document({ fullUrl: STRAY, resource: patient('p2') }), type: 'collection' })).toEqual([]);
  });
});

describe('the R4 vital-signs profiles, by LOINC code', () => {
  const temperature = (extra: Record<string, unknown>) =>
    observation({ code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] }, subject: { reference: 'Patient/p1' }, ...extra });
  const celsius = { value: 36.6, unit: '°C', system: 'http://unitsofmeasure.org', code: 'Cel' };
  const vitalSigns = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];

  it('applies bodytemp to an Observation coded 8310-5, with no profile claimed or asked', () => {
    expect(errors(temperature({ valueQuantity: { ...celsius, unit: 'K', code: 'K' } }))).toEqual([
      'Observation.category: Observation.category: minimum required = 1, but only found 0',
      'Observation.effective: Observation.effective[x]: minimum required = 1, but only found 0',
      'Observation.valueQuantity.code: "K" is not in the required value set http://hl7.org/fhir/ValueSet/ucum-bodytemp|4.0.1',
    ]);
    expect(errors(temperature({ category: vitalSigns, effectiveDateTime: '2026-03-18T08:00:00+01:00', valueQuantity: celsius }))).toEqual([]);
  });

  it('leaves other codes, and other code systems, to their own profiles', () => {
    expect(errors(observation({ code: { coding: [{ system: 'http://loinc.org', code: '72514-3' }] }, valueInteger: 3 }))).toEqual([]);
    expect(
      errors(observation({ code: { coding: [{ system: 'https://codes.mes-fhir.test/local', code: '8310-5' }] }, valueQuantity: { ...celsius, code: 'K' } })),
    ).toEqual([]);
  });
});

describe('example URLs where a real URL is expected', () => {
  const EXAMPLE_URL = (url: string) => `Example URLs (${url}) are not allowed here: a real URL is expected`;
  const withAttachment = (url: string) => patient('p1', { photo: [{ contentType: 'image/png', url }] });

  it("refuses them in a url, a canonical and a Coding's system", () => {
    expect(errors(withAttachment('http://example.com/report.txt'))).toEqual([`Patient.photo[0].url: ${EXAMPLE_URL('http://example.com/report.txt')}`]);
    expect(errors(observation({ meta: { profile: ['https://www.example.org/fhir/StructureDefinition/x'] } }))).toEqual([
      `Observation.meta.profile[0]: ${EXAMPLE_URL('https://www.example.org/fhir/StructureDefinition/x')}`,
    ]);
    expect(errors(observation({ code: { coding: [{ system: 'http://codes.example/local', code: 'x' }] } }))).toEqual([
      `Observation.code.coding[0].system: ${EXAMPLE_URL('http://codes.example/local')}`,
    ]);
  });

  it('accepts real hosts, identifiers (uri), and every example URL when told to', () => {
    expect(errors(withAttachment('https://documents.mes-fhir.test/report.txt'))).toEqual([]);
    expect(errors(withAttachment('https://example.org.evil.fr/report.txt'))).toEqual([]);
    // a fullUrl or an identifier's system is a name, not a place
    expect(errors(observation({ identifier: [{ system: 'http://example.org/ids', value: '1' }] }))).toEqual([]);
    const allowing = new Validator(validator.index, ['generated', 'fixtures'], { allowExampleUrls: true });
    const withExamples = observation({
      meta: { profile: ['https://www.example.org/fhir/StructureDefinition/x'] },
      code: { coding: [{ system: 'http://codes.example/local', code: 'x' }] },
    });
    expect(allowing.validateToIssues(withExamples).filter((i) => i.id === 'url-example')).toEqual([]);
    expect(allowing.validateToIssues(withAttachment('http://example.com/report.txt')).filter((i) => i.id === 'url-example')).toEqual([]);
  });
});

describe('StructureDefinition: the profile of an element type constrains that type', () => {
  const profileWith = (code: string, profile: string) => ({
    resourceType: 'StructureDefinition',
    url: 'https://fhir.mes-fhir.test/StructureDefinition/typed-observation',
    name: 'TypedObservation',
    status: 'draft',
    kind: 'resource',
    abstract: false,
    type: 'Observation',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Observation',
    derivation: 'constraint',
    differential: { element: [{ id: 'Observation.value[x]', path: 'Observation.value[x]', type: [{ code, profile: [profile] }] }] },
  });

  it('refuses a Count profile on a Quantity element', () => {
    expect(errors(profileWith('Quantity', 'http://hl7.org/fhir/StructureDefinition/Count'))).toEqual([
      'StructureDefinition.differential.element[0].type[0].profile[0]: the profile http://hl7.org/fhir/StructureDefinition/Count constrains Count, so it cannot be the profile of a Quantity element',
    ]);
  });

  it('accepts a profile of the type itself (SimpleQuantity on Quantity), and an unknown one (not loaded: not judged)', () => {
    expect(errors(profileWith('Quantity', 'http://hl7.org/fhir/StructureDefinition/SimpleQuantity'))).toEqual([]);
    expect(errors(profileWith('Quantity', 'https://fhir.mes-fhir.test/StructureDefinition/unknown'))).toEqual([]);
  });

  it('accepts every StructureDefinition we generate', () => {
    const ours = validator.index.list('StructureDefinition').filter((e) => e.source === 'generated');
    expect(ours.length).toBeGreaterThanOrEqual(19);
    for (const entry of ours)
      expect(
        errors(validator.index.read(entry)).filter((m) => m.includes('cannot be the profile')),
        entry.url,
      ).toEqual([]);
  });
});
