import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, profile, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([
    profile('CardPatient', 'Patient', [
      { id: 'Patient.name', min: 1 },
      { id: 'Patient.photo', max: '0' },
      { id: 'Patient.telecom', max: '1' },
    ]),
  ]);
});

const patient = (more: Record<string, unknown> = {}) => ({ resourceType: 'Patient', name: [{ family: 'Martin' }], ...more });

describe('cardinality and shape', () => {
  it('accepts what the profile allows', () => {
    expect(issuesOf(validator, patient({ telecom: [{ system: 'phone', value: '0102030405' }] }), 'CardPatient')).toEqual([]);
  });
  it('refuses a missing required element, a forbidden one, one too many', () => {
    expect(issuesOf(validator, { resourceType: 'Patient' }, 'CardPatient')).toEqual(['cardinality-min@Patient.name']);
    expect(issuesOf(validator, patient({ photo: [{ url: 'http://x/p.png' }] }), 'CardPatient')).toEqual(['element-forbidden@Patient.photo']);
    const telecom = [
      { system: 'phone', value: '1' },
      { system: 'phone', value: '2' },
    ];
    expect(issuesOf(validator, patient({ telecom }), 'CardPatient')).toEqual(['cardinality-max@Patient.telecom']);
  });
  it('the same resource without the profile: the base definition allows all three', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', photo: [{ url: 'http://x/p.png' }] })).toEqual([]);
  });
  it('refuses unknown names, nulls, and arrays where they do not belong', () => {
    expect(issuesOf(validator, patient({ nom: 'x' }))).toEqual(['unknown-property@Patient.nom']);
    expect(issuesOf(validator, patient({ gender: null }))).toEqual(['null-value@Patient.gender']);
    expect(issuesOf(validator, { resourceType: 'Patient', name: { family: 'x' } })).toEqual(['array-expected@Patient.name']);
    expect(issuesOf(validator, patient({ birthDate: ['2000-01-01'] }))).toEqual(['array-not-allowed@Patient.birthDate']);
    expect(issuesOf(validator, patient({ address: [] }))).toEqual(['array-empty@Patient.address']);
  });
  it('refuses two values of one choice, and an element with neither value nor children (ele-1)', () => {
    // the choice counts two values where one is allowed, and names the second
    expect(issuesOf(validator, patient({ deceasedBoolean: false, deceasedDateTime: '2020-01-01' }))).toEqual([
      'cardinality-max@Patient.deceasedBoolean',
      'choice-twice@Patient.deceasedDateTime',
    ]);
    const empty = validator.validateToIssues(patient({ address: [{}] })).filter((i) => i.key === 'ele-1');
    expect(empty.map((i) => `${i.id}@${i.location}`)).toEqual(['element-empty@Patient.address[0]']);
  });
});
