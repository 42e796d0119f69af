import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([]);
});

const observation = (note: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'Poids' }, note: [{ text: note }] });

describe('text (warnings, as the Java validator gives them by default)', () => {
  it('a string padded with whitespace', () => {
    expect(issuesOf(validator, { resourceType: 'Patient', name: [{ family: 'Martin ' }] })).toEqual(['string-padded@Patient.name[0].family']);
    expect(issuesOf(validator, { resourceType: 'Patient', name: [{ family: 'Martin' }] })).toEqual([]);
  });
  it('markdown that embeds an HTML tag', () => {
    expect(issuesOf(validator, observation('pesé <b>après</b> le repas'))).toEqual(['markdown-html@Observation.note[0].text']);
    expect(issuesOf(validator, observation('pesé **après** le repas, 2 < 3'))).toEqual([]);
  });
  it('are warnings, not errors', () => {
    const issues = validator.validateToIssues({ resourceType: 'Patient', name: [{ family: ' Martin' }] });
    expect(issues.find((i) => i.id === 'string-padded')?.severity).toBe('warning');
  });
});
