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
const TWO_LOINC = valueSet('two-loinc', { system: 'http://loinc.org', concept: [{ code: '29463-7' }, { code: '8302-2' }] });
const codeOf = (system: string, code: string) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system, code }] } });
beforeAll(async () => {
  validator = await validatorWith([
    MALE_ONLY,
    ANY_LOINC,
    TWO_LOINC,
    profile('ExtensibleObservation', 'Observation', [{ id: 'Observation.code', binding: { strength: 'extensible', valueSet: TWO_LOINC.url } }]),
    profile('PreferredObservation', 'Observation', [{ id: 'Observation.code', binding: { strength: 'preferred', valueSet: TWO_LOINC.url } }]),
    profile('ExampleObservation', 'Observation', [{ id: 'Observation.code', binding: { strength: 'example', valueSet: TWO_LOINC.url } }]),
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
  it('extensible: a code of a system the value set does not list extends the binding; one of its system that it does not list is a warning', () => {
    const codeIssues = (system: string, code: string) =>
      validator
        .validateToIssues(codeOf(system, code), { profile: `${TEST_BASE}ExtensibleObservation` })
        .filter((i) => i.location === 'Observation.code')
        .map((i) => `${i.severity} ${i.id}`);
    expect(codeIssues('http://loinc.org', '29463-7')).toEqual([]);
    expect(codeIssues('http://snomed.info/sct', '27113001')).toEqual([]);
    expect(codeIssues('http://loinc.org', '9279-1')).toEqual(['warning code-not-in-extensible-value-set']);
  });
  it('preferred: another code is information; example bindings are not checked', () => {
    const codeIssues = (name: string, code: string) =>
      validator
        .validateToIssues(codeOf('http://loinc.org', code), { profile: `${TEST_BASE}${name}` })
        .filter((i) => i.location === 'Observation.code')
        .map((i) => `${i.severity} ${i.id}`);
    expect(codeIssues('PreferredObservation', '8302-2')).toEqual([]);
    expect(codeIssues('PreferredObservation', '9279-1')).toEqual(['information code-not-in-preferred-value-set']);
    expect(codeIssues('ExampleObservation', '9279-1')).toEqual([]);
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
