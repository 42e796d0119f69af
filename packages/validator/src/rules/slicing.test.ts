import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, profile, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([
    profile('SlicedPatient', 'Patient', [
      { id: 'Patient.identifier', slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'closed', ordered: true } },
      { id: 'Patient.identifier:a', path: 'Patient.identifier', sliceName: 'a', min: 1, max: '1' },
      { id: 'Patient.identifier:a.system', path: 'Patient.identifier.system', min: 1, fixedUri: 'urn:a' },
      { id: 'Patient.identifier:b', path: 'Patient.identifier', sliceName: 'b', min: 0, max: '1' },
      { id: 'Patient.identifier:b.system', path: 'Patient.identifier.system', min: 1, fixedUri: 'urn:b' },
      { id: 'Patient.identifier:b.value', path: 'Patient.identifier.value', min: 1 },
    ]),
    profile('OpenAtEndPatient', 'Patient', [
      { id: 'Patient.identifier', slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'openAtEnd' } },
      { id: 'Patient.identifier:a', path: 'Patient.identifier', sliceName: 'a', min: 0, max: '*' },
      { id: 'Patient.identifier:a.system', path: 'Patient.identifier.system', min: 1, fixedUri: 'urn:a' },
    ]),
  ]);
});

const a = { system: 'urn:a', value: '1' };
const b = { system: 'urn:b', value: '2' };
const patient = (identifier: unknown[]) => ({ resourceType: 'Patient', identifier });

describe('slicing', () => {
  it('accepts items that fit their slices, in order', () => {
    expect(issuesOf(validator, patient([a, b]), 'SlicedPatient')).toEqual([]);
    expect(issuesOf(validator, patient([a]), 'SlicedPatient')).toEqual([]);
  });
  it('counts items per slice: minimum and maximum', () => {
    expect(issuesOf(validator, patient([b]), 'SlicedPatient')).toEqual(['slice-min@Patient.identifier']);
    expect(issuesOf(validator, patient([a, { ...a, value: '3' }]), 'SlicedPatient')).toEqual(['slice-max@Patient.identifier']);
  });
  it('closed: an item of no slice is refused; ordered: slices in their order', () => {
    expect(issuesOf(validator, patient([a, { system: 'urn:c', value: '9' }]), 'SlicedPatient')).toEqual(['slice-none-closed@Patient.identifier[1]']);
    expect(issuesOf(validator, patient([b, a]), 'SlicedPatient')).toEqual(['slice-out-of-order@Patient.identifier[1]']);
  });
  it("an item is also checked against its slice's own definition", () => {
    expect(issuesOf(validator, patient([a, { system: 'urn:b' }]), 'SlicedPatient')).toEqual(['cardinality-min@Patient.identifier[1].value']);
  });
  it('openAtEnd: items outside the slices come last', () => {
    const other = { system: 'urn:other', value: '0' };
    expect(issuesOf(validator, patient([a, other]), 'OpenAtEndPatient')).toEqual([]);
    expect(issuesOf(validator, patient([other, a]), 'OpenAtEndPatient')).toEqual(['slice-open-at-end@Patient.identifier[1]']);
  });
});
