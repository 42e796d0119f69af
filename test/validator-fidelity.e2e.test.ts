/**
 * Families of errors the HL7 Java validator reports that ours missed (issue "validator fidelity"):
 * Bundle rules (duplicate resources, fullUrl against the resource, references inside documents),
 * minValue/maxValue/maxLength, Attachment.size against its data, and profiles given with only a
 * differential. Each family has cases that must fail for the right reason and cases that must pass.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResourceIndex, projectLayers } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'validator-fidelity');
const LIMITS = 'https://example.org/fhir/StructureDefinition/limits-observation';
const QUANTITY_LIMIT = 'https://example.org/fhir/StructureDefinition/limits-quantity';
let validator: Validator;

beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  validator = new Validator(new ResourceIndex([{ label: 'fixtures', dir: FIXTURES }, ...projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir'))]), ['generated', 'fixtures']);
});

const errors = (resource: unknown, profile?: string) =>
  validator
    .validateToIssues(resource, profile ? { profile } : {})
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.location}: ${i.message}`);

const patient = (id: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', id, ...extra });
const observation = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra });

describe('Bundle rules', () => {
  it('refuses two entries holding the same resource, unless versions or a history say otherwise', () => {
    const bundle = (type: string, a: Record<string, unknown>, b: Record<string, unknown>) => ({
      resourceType: 'Bundle',
      type,
      entry: [
        { fullUrl: 'http://example.org/fhir/Patient/p1', resource: a },
        { fullUrl: 'urn:uuid:2b8a7f1e-0c4d-4a55-9e43-5d2f1c0b9a11', resource: b },
      ],
    });
    expect(errors(bundle('collection', patient('p1'), patient('p1')))).toEqual(['Bundle.entry[1].resource.id: duplicate resource Patient/p1 in the Bundle (also entry[0])']);
    expect(errors(bundle('collection', patient('p1'), patient('p2')))).toEqual([]);
    expect(errors(bundle('collection', patient('p1', { meta: { versionId: '1' } }), patient('p1', { meta: { versionId: '2' } })))).toEqual([]);
    expect(errors(bundle('history', patient('p1'), patient('p1')))).not.toContainEqual(expect.stringContaining('duplicate'));
  });

  it('refuses a RESTful fullUrl that names another resource', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'http://example.org/fhir/Patient/other', resource: patient('p1') }] };
    expect(errors(bundle)).toEqual(['Bundle.entry[0].fullUrl: fullUrl http://example.org/fhir/Patient/other does not match the entry\'s resource Patient/p1']);
  });

  it('requires the references of a document to resolve inside it', () => {
    const document = (subject: string) => ({
      resourceType: 'Bundle',
      type: 'document',
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c3a9f1e-5b6d-4e7f-8a9b-1c2d3e4f5a6b' },
      timestamp: '2026-03-18T10:15:00+01:00',
      entry: [
        {
          fullUrl: 'urn:uuid:9d3a5c1e-7b2f-4e8a-9c1d-2e3f4a5b6c7d',
          resource: { resourceType: 'Composition', status: 'final', type: { text: 'Note' }, date: '2026-03-18', author: [{ display: 'Dr X' }], title: 'Note', subject: { reference: subject } },
        },
        { fullUrl: 'urn:uuid:4f6e8a2b-1c3d-4e5f-9a7b-8c9d0e1f2a3b', resource: patient('p1') },
      ],
    });
    expect(errors(document('Patient/p1'))).toEqual([]);
    expect(errors(document('urn:uuid:4f6e8a2b-1c3d-4e5f-9a7b-8c9d0e1f2a3b'))).toEqual([]);
    expect(errors(document('Patient/p2'))).toEqual(['Bundle.entry[0].resource.subject.reference: "Patient/p2" is not in the document Bundle: a document\'s references resolve inside it']);
  });
});

describe('limits of a profile (minValue, maxValue, maxLength)', () => {
  it('checks integer and dateTime bounds and the maximum length of a string', () => {
    const ok = observation({ valueInteger: 10, effectiveDateTime: '2026-01-01T00:00:00Z', note: [{ text: 'short note' }] });
    expect(errors(ok, LIMITS)).toEqual([]);
    expect(errors(observation({ valueInteger: 11 }), LIMITS)).toEqual(['Observation.valueInteger: value 11 is above the maximum 10']);
    expect(errors(observation({ valueInteger: -1 }), LIMITS)).toEqual(['Observation.valueInteger: value -1 is below the minimum 0']);
    expect(errors(observation({ valueInteger: 3, effectiveDateTime: '2019-12-31T23:00:00Z' }), LIMITS)).toEqual([
      'Observation.effectiveDateTime: value "2019-12-31T23:00:00Z" is below the minimum "2020-01-01T00:00:00Z"',
    ]);
    expect(errors(observation({ valueInteger: 3, note: [{ text: 'a note longer than twenty characters' }] }), LIMITS)).toEqual([
      'Observation.note[0].text: 36 characters, more than the maximum length 20',
    ]);
  });

  it('checks a Quantity bound in the same unit, and restricts a choice named by its type', () => {
    const q = (value: number) => observation({ valueQuantity: { value, system: 'http://unitsofmeasure.org', code: 'kg', unit: 'kg' } });
    expect(errors(q(80), QUANTITY_LIMIT)).toEqual([]);
    expect(errors(q(301), QUANTITY_LIMIT)).toEqual(['Observation.valueQuantity: value {"value":301,"system":"http://unitsofmeasure.org","code":"kg","unit":"kg"} is above the maximum {"value":300,"system":"http://unitsofmeasure.org","code":"kg"}']);
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
