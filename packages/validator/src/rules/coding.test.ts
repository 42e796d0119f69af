import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([]);
});

const observation = (system: string) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system, code: 'x' }] } });
const codingIssues = (system: string) => issuesOf(validator, observation(system)).filter((i) => i.startsWith('coding-'));

describe('Coding.system', () => {
  it('accepts an absolute URI of a code system, loaded or not', () => {
    expect(codingIssues('http://loinc.org')).toEqual([]);
    expect(codingIssues('urn:oid:1.2.250.1.213.1.1.4.12')).toEqual([]);
    expect(codingIssues('http://terminology.hl7.org/CodeSystem/observation-category')).toEqual([]);
  });
  it('refuses a relative URI', () => {
    expect(codingIssues('loinc')).toEqual(['coding-system-relative@Observation.code.coding[0].system']);
  });
  it('refuses the url of a value set', () => {
    expect(codingIssues('http://hl7.org/fhir/ValueSet/observation-codes')).toEqual(['coding-system-is-value-set@Observation.code.coding[0].system']);
  });
});
