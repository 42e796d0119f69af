import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, profile, TEST_BASE, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
const valueSet = (name: string, include: Record<string, unknown>) => ({
  resourceType: 'ValueSet',
  url: `${TEST_BASE.replace('StructureDefinition', 'ValueSet')}${name}`,
  name,
  status: 'draft',
  compose: { include: [include] },
});
const MALE_ONLY = valueSet('male-only', { system: 'http://hl7.org/fhir/administrative-gender', concept: [{ code: 'male' }] });
const ANY_LOINC = valueSet('any-loinc', { system: 'http://loinc.org' });
beforeAll(async () => {
  validator = await validatorWith([
    MALE_ONLY,
    ANY_LOINC,
    profile('BoundPatient', 'Patient', [{ id: 'Patient.gender', binding: { strength: 'required', valueSet: MALE_ONLY.url } }]),
    profile('BoundObservation', 'Observation', [{ id: 'Observation.code', binding: { strength: 'required', valueSet: ANY_LOINC.url } }]),
    profile('ExtensiblePatient', 'Patient', [{ id: 'Patient.gender', binding: { strength: 'extensible', valueSet: MALE_ONLY.url } }]),
  ]);
});

describe('bindings', () => {
  it('required: a code of the value set is accepted, another refused', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', gender: 'male' }, 'BoundPatient')).toEqual([]);
    expect(issuesOf(validator, { resourceType: 'Patient', gender: 'female' }, 'BoundPatient')).toEqual(['code-not-in-required-value-set@Patient.gender']);
  });
  it('extensible: another code is a warning', () => {
    const issues = validator.validateToIssues({ resourceType: 'Patient', gender: 'female' }, { profile: `${TEST_BASE}ExtensiblePatient` });
    expect(issues.filter((i) => i.id === 'code-not-in-extensible-value-set').map((i) => `${i.severity}@${i.location}`)).toEqual(['warning@Patient.gender']);
  });
  it('a CodeableConcept with no code, where a code is required', () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'Poids' } };
    expect(issuesOf(validator, observation, 'BoundObservation')).toEqual(['code-missing@Observation.code']);
  });
  it('a code of a system not available offline: a warning that it could not be checked, not an error', () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8280-0' }] } };
    const issues = validator.validateToIssues(observation, { profile: `${TEST_BASE}BoundObservation` }).filter((i) => i.key !== 'dom-6');
    expect(issues.map((i) => `${i.id}@${i.location}:${i.severity}`)).toEqual(['code-not-checkable@Observation.code:warning']);
  });
});
