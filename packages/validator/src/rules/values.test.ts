import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, profile, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
// waist circumference: a LOINC code with no R4 vital-signs profile, so only the test profile applies
const LOINC_WAIST = { coding: [{ system: 'http://loinc.org', code: '8280-0' }] };
beforeAll(async () => {
  validator = await validatorWith([
    profile('ValueObservation', 'Observation', [
      { id: 'Observation.status', fixedCode: 'final' },
      { id: 'Observation.code', patternCodeableConcept: LOINC_WAIST },
      { id: 'Observation.value[x]', type: [{ code: 'integer' }], minValueInteger: 0, maxValueInteger: 10 },
    ]),
    profile('LimitedWeight', 'Observation', [
      {
        id: 'Observation.value[x]',
        type: [{ code: 'Quantity' }],
        maxValueQuantity: { value: 50, system: 'http://unitsofmeasure.org', code: 'kg' },
      },
    ]),
    profile('KilogramObservation', 'Observation', [{ id: 'Observation.valueQuantity.code', path: 'Observation.valueQuantity.code', fixedCode: 'kg' }]),
  ]);
});

const observation = (more: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { ...LOINC_WAIST, text: 'Tour de taille' },
  valueInteger: 5,
  ...more,
});

describe('fixed values, patterns and limits', () => {
  it('accepts a value that meets them', () => {
    expect(issuesOf(validator, observation(), 'ValueObservation')).toEqual([]);
  });
  it('refuses a value other than the fixed one', () => {
    expect(issuesOf(validator, observation({ status: 'amended' }), 'ValueObservation')).toEqual(['fixed-value@Observation.status']);
  });
  it('refuses a value that lacks the pattern (more than it is fine)', () => {
    expect(issuesOf(validator, observation({ code: { coding: [{ system: 'http://loinc.org', code: '41950-7' }] } }), 'ValueObservation')).toEqual([
      'pattern-value@Observation.code',
    ]);
  });
  it('compares Quantities with their limit once converted between UCUM units of one kind', () => {
    const weight = (value: number, code: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Tour de taille' },
      valueQuantity: { value, unit: code, system: 'http://unitsofmeasure.org', code },
    });
    expect(issuesOf(validator, weight(70000, 'g'), 'LimitedWeight')).toEqual(['above-max-value@Observation.valueQuantity']);
    expect(issuesOf(validator, weight(40000, 'g'), 'LimitedWeight')).toEqual([]);
    expect(issuesOf(validator, weight(70, 'kg'), 'LimitedWeight')).toEqual(['above-max-value@Observation.valueQuantity']);
    // units of another kind are not compared
    expect(issuesOf(validator, weight(70000, 'cm'), 'LimitedWeight')).toEqual([]);
  });
  it('refuses a value outside minValue/maxValue', () => {
    expect(issuesOf(validator, observation({ valueInteger: 11 }), 'ValueObservation')).toEqual(['above-max-value@Observation.valueInteger']);
    expect(issuesOf(validator, observation({ valueInteger: -1 }), 'ValueObservation')).toEqual(['below-min-value@Observation.valueInteger']);
  });
});

describe('what a value states about itself', () => {
  it('Attachment.size is the size of the data', () => {
    // (the MIME type's binding cannot be checked offline: a warning the test leaves aside)
    const photo = (size: number) =>
      issuesOf(validator, { resourceType: 'Patient', photo: [{ contentType: 'image/png', data: 'AAAA', size }] }).filter(
        (i) => !i.startsWith('code-not-checkable'),
      );
    expect(photo(5)).toEqual(['attachment-size@Patient.photo[0]']);
    expect(photo(3)).toEqual([]);
  });
  it('a UCUM code is a valid UCUM expression', () => {
    const weight = (code: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Tour de taille' },
      valueQuantity: { value: 72, unit: code, system: 'http://unitsofmeasure.org', code },
    });
    expect(issuesOf(validator, weight('kgg'))).toEqual(['ucum-invalid@Observation.valueQuantity.code']);
    expect(issuesOf(validator, weight('kg'))).toEqual([]);
    // asked only of a code nothing else refused: one verdict, not two
    expect(issuesOf(validator, weight('kgg'), 'KilogramObservation')).toEqual(['fixed-value@Observation.valueQuantity.code']);
    expect(issuesOf(validator, weight('m'.repeat(200)))).toEqual(['ucum-invalid@Observation.valueQuantity.code']);
  });
});
