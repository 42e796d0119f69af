import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { profile, TEST_BASE, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([
    profile('RuledPatient', 'Patient', [
      {
        id: 'Patient',
        constraint: [
          { key: 'test-name', severity: 'error', human: 'Un nom est requis', expression: 'name.exists()' },
          { key: 'test-gender', severity: 'warning', human: 'Le genre est conseillé', expression: 'gender.exists()' },
        ],
      },
      { id: 'Patient.name', constraint: [{ key: 'test-family', severity: 'error', human: 'Le nom de famille est requis', expression: 'family.exists()' }] },
    ]),
  ]);
});

const check = (resource: unknown) =>
  validator
    .validateToIssues(resource, { profile: `${TEST_BASE}RuledPatient` })
    .filter((i) => i.key?.startsWith('test-'))
    .map((i) => `${i.id}:${i.key}:${i.severity}@${i.location}`);

describe('invariants', () => {
  it('accepts a resource that meets every constraint', () => {
    expect(check({ resourceType: 'Patient', gender: 'female', name: [{ family: 'Martin' }] })).toEqual([]);
  });
  it('reports each failed constraint with its key, its severity and the element it sits on', () => {
    expect(check({ resourceType: 'Patient' })).toEqual(['invariant-failed:test-name:error@Patient', 'invariant-failed:test-gender:warning@Patient']);
    expect(check({ resourceType: 'Patient', gender: 'male', name: [{ family: 'Martin' }, { given: ['Léa'] }] })).toEqual([
      'invariant-failed:test-family:error@Patient.name[1]',
    ]);
  });
  it('says which constraint failed, in its own words', () => {
    const issue = validator
      .validateToIssues({ resourceType: 'Patient', gender: 'male' }, { profile: `${TEST_BASE}RuledPatient` })
      .find((i) => i.key === 'test-name');
    expect(issue?.message).toBe('test-name: Un nom est requis');
  });
});
