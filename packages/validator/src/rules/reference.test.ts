import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, profile, TEST_BASE, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([
    profile('NamedPatient', 'Patient', [{ id: 'Patient.name', min: 1 }]),
    profile('ObservationOfNamedPatient', 'Observation', [
      { id: 'Observation.subject', type: [{ code: 'Reference', targetProfile: [`${TEST_BASE}NamedPatient`] }] },
    ]),
  ]);
});

const observation = (subject: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'Poids' },
  subject,
  ...more,
});
const withId = (issues: string[], prefix: string) => issues.filter((i) => i.startsWith(prefix));

describe('references', () => {
  it('accepts a relative reference of an allowed type, and a local one to a contained resource', () => {
    expect(issuesOf(validator, observation({ reference: 'Patient/p1' }))).toEqual([]);
    expect(issuesOf(validator, observation({ reference: '#p' }, { contained: [{ resourceType: 'Patient', id: 'p' }] }))).toEqual([]);
  });
  it('refuses a local reference with no contained resource (ref-1)', () => {
    expect(issuesOf(validator, observation({ reference: '#p' }))).toEqual(['local-reference-unresolved@Observation.subject']);
  });
  it('refuses a malformed reference, an unknown type, a type the element does not allow', () => {
    expect(issuesOf(validator, observation({ reference: 'un patient' }))).toEqual(['reference-format@Observation.subject.reference']);
    expect(issuesOf(validator, observation({ reference: 'Banana/1' }))).toEqual(['reference-type-unknown@Observation.subject.reference']);
    expect(issuesOf(validator, observation({ reference: 'Practitioner/1' }))).toEqual(['reference-type-not-allowed@Observation.subject.reference']);
  });
  it('a target in the Bundle must meet the target profile', () => {
    const bundle = (patient: Record<string, unknown>) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:0f1e2d3c-4b5a-4968-8776-655443322110',
          resource: observation(
            { reference: 'urn:uuid:1f1e2d3c-4b5a-4968-8776-655443322110' },
            { meta: { profile: [`${TEST_BASE}ObservationOfNamedPatient`] } },
          ),
        },
        { fullUrl: 'urn:uuid:1f1e2d3c-4b5a-4968-8776-655443322110', resource: patient },
      ],
    });
    expect(withId(issuesOf(validator, bundle({ resourceType: 'Patient' })), 'reference-')).toEqual([
      'reference-target-profile@Bundle.entry[0].resource.subject.reference',
    ]);
    expect(withId(issuesOf(validator, bundle({ resourceType: 'Patient', name: [{ family: 'Martin' }] })), 'reference-')).toEqual([]);
  });
  it('in a Parameters, a reference resolves to the resource another parameter (or part) gives', () => {
    const parameters = (patient: Record<string, unknown>) => ({
      resourceType: 'Parameters',
      parameter: [
        { name: 'observation', resource: observation({ reference: 'Patient/p1' }, { meta: { profile: [`${TEST_BASE}ObservationOfNamedPatient`] } }) },
        { name: 'context', part: [{ name: 'patient', resource: { resourceType: 'Patient', id: 'p1', ...patient } }] },
      ],
    });
    expect(withId(issuesOf(validator, parameters({})), 'reference-')).toEqual(['reference-target-profile@Parameters.parameter[0].resource.subject.reference']);
    expect(withId(issuesOf(validator, parameters({ name: [{ family: 'Martin' }] })), 'reference-')).toEqual([]);
    // a resource no parameter gives stays unresolved, as outside any Bundle
    expect(withId(issuesOf(validator, parameters({ id: 'p2' })), 'reference-')).toEqual([]);
  });
  it('a contained target is of a type, and meets the profiles, the element allows', () => {
    const withContained = (contained: Record<string, unknown>, extra: Record<string, unknown>) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      contained: [contained],
      ...extra,
    });
    const binary = { resourceType: 'Binary', id: 'b', contentType: 'text/plain' };
    expect(withId(issuesOf(validator, withContained(binary, { derivedFrom: [{ reference: '#b' }] })), 'reference-')).toEqual([
      'reference-type-not-allowed@Observation.derivedFrom[0].reference',
    ]);
    const claiming = { meta: { profile: [`${TEST_BASE}ObservationOfNamedPatient`] }, subject: { reference: '#p' } };
    expect(withId(issuesOf(validator, withContained({ resourceType: 'Patient', id: 'p' }, claiming)), 'reference-')).toEqual([
      'reference-target-profile@Observation.subject.reference',
    ]);
    expect(withId(issuesOf(validator, withContained({ resourceType: 'Patient', id: 'p', name: [{ family: 'Martin' }] }, claiming)), 'reference-')).toEqual([]);
  });
  it('in a document Bundle, a reference resolves inside it', () => {
    const document = {
      resourceType: 'Bundle',
      type: 'document',
      entry: [{ fullUrl: 'urn:uuid:0f1e2d3c-4b5a-4968-8776-655443322110', resource: observation({ reference: 'Patient/p1' }) }],
    };
    expect(withId(issuesOf(validator, document), 'reference-')).toEqual(['reference-outside-document@Bundle.entry[0].resource.subject.reference']);
    const collection = { ...document, type: 'collection' };
    expect(withId(issuesOf(validator, collection), 'reference-')).toEqual([]);
  });
});
