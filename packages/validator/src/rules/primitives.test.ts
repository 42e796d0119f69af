import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([]);
});

const patient = (more: Record<string, unknown>) => issuesOf(validator, { resourceType: 'Patient', ...more });

describe('primitive values', () => {
  it('accepts well-formed values of each JSON type', () => {
    expect(patient({ id: 'p-1.2', active: true, birthDate: '2024-02-29', multipleBirthInteger: 2, name: [{ family: 'Martin' }] })).toEqual([]);
  });
  it('refuses the wrong JSON type, a number out of range, an empty string', () => {
    expect(patient({ active: 'yes' })).toEqual(['primitive-json-type@Patient.active']);
    expect(patient({ multipleBirthInteger: 3_000_000_000 })).toEqual(['primitive-out-of-range@Patient.multipleBirthInteger']);
    expect(patient({ name: [{ family: '' }] })).toEqual(['primitive-empty@Patient.name[0].family']);
  });
  it("refuses a value outside its type's format, and a day no calendar has", () => {
    expect(patient({ birthDate: '1er mai' })).toEqual(['primitive-format@Patient.birthDate']);
    expect(patient({ birthDate: '2026-02-30' })).toEqual(['date-no-such-day@Patient.birthDate']);
  });
  it('base64Binary: groups of four, whitespace between them; a long failing value is decided at once', () => {
    const photo = (data: string) => patient({ photo: [{ contentType: 'image/png', data }] }).filter((i) => !i.startsWith('code-not-checkable'));
    expect(photo('iVBO Rw0K')).toEqual([]);
    expect(photo('iVB ORw0K')).toEqual(['primitive-format@Patient.photo[0].data']);
    // the R4 regex backtracks exponentially on this (25 s at 26 groups, doubling with each group)
    expect(photo(`${'AAAA '.repeat(5_000)}!`)).toEqual(['primitive-format@Patient.photo[0].data']);
  });
  it('strings of every type: no control character but tab, CR and LF', () => {
    expect(patient({ name: [{ family: 'Mar\u0000tin' }] })).toEqual(['primitive-control-character@Patient.name[0].family']);
    expect(patient({ implicitRules: 'http://example.org/\u001b[2K' })).toEqual(['primitive-control-character@Patient.implicitRules']);
    expect(patient({ name: [{ text: 'Alice\tMartin\r\nnée Durand' }] })).toEqual([]);
  });
  it('resource ids: 1 to 64 letters, digits, "-" or "."', () => {
    for (const bad of ['bad_id', 'a b', 'x'.repeat(65)]) expect(patient({ id: bad }), bad).toEqual(['resource-id-invalid@Patient.id']);
    expect(patient({ id: 'x'.repeat(64) })).toEqual([]);
  });
});
