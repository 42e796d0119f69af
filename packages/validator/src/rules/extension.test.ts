import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([]);
});

const BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
const birthPlace = (more: Record<string, unknown> = {}) => ({ url: BIRTH_PLACE, valueAddress: { city: 'Lyon' }, ...more });

describe('extensions', () => {
  it('accepts a known extension in its context, with the value its definition allows', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', extension: [birthPlace()] })).toEqual([]);
  });
  it('refuses an extension whose definition cannot be found, modifier or not', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', extension: [{ url: 'http://example.org/inconnue', valueString: 'x' }] })).toEqual([
      'extension-unknown@Patient.extension[0]',
    ]);
    expect(issuesOf(validator, { resourceType: 'Patient', modifierExtension: [{ url: 'http://example.org/inconnue', valueString: 'x' }] })).toEqual([
      'extension-unknown@Patient.modifierExtension[0]',
    ]);
  });
  it('refuses a relative url outside a complex extension, where it names a part', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', extension: [{ url: 'birthPlace', valueString: 'Lyon' }] })).toEqual([
      'extension-url-relative@Patient.extension[0]',
    ]);
    const complex = {
      url: 'http://hl7.org/fhir/StructureDefinition/patient-nationality',
      extension: [{ url: 'code', valueCodeableConcept: { text: 'française' } }],
    };
    expect(issuesOf(validator, { resourceType: 'Patient', extension: [complex] }).filter((i) => i.startsWith('extension-url'))).toEqual([]);
  });
  it('refuses a known extension outside its contexts', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', name: [{ family: 'Martin', extension: [birthPlace()] }] })).toEqual([
      'extension-context@Patient.name[0].extension[0]',
    ]);
  });
  it('refuses an extension with both a value and extensions (ext-1)', () => {
    const issues = validator.validateToIssues({ resourceType: 'Patient', extension: [birthPlace({ extension: [{ url: 'part', valueString: 'x' }] })] });
    expect(issues.filter((i) => i.key === 'ext-1').map((i) => `${i.id}@${i.location}`)).toEqual(['extension-value-and-children@Patient.extension[0]']);
  });
});
