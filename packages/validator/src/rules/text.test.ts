import { beforeAll, describe, expect, it } from 'vitest';
import { Validator, type ValidatorSettings } from '../validator.js';
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

describe("the reference's switches on text", () => {
  const withSettings = (settings: ValidatorSettings) => new Validator(validator.index, ['generated', 'rule-tests'], settings);
  const patient = (family: string) => ({ resourceType: 'Patient', name: [{ family }] });

  it('htmlInMarkdown: the tag in markdown is ignored, a warning (default) or an error', () => {
    const note = observation('pesé <b>après</b> le repas');
    expect(issuesOf(withSettings({ htmlInMarkdown: 'ignore' }), note)).toEqual([]);
    expect(issuesOf(withSettings({ htmlInMarkdown: 'warning' }), note)).toEqual(['markdown-html@Observation.note[0].text']);
    const refused = withSettings({ htmlInMarkdown: 'error' }).validateToIssues(note);
    expect(refused.filter((i) => i.id?.startsWith('markdown-html')).map((i) => `${i.id}:${i.severity}`)).toEqual(['markdown-html-refused:error']);
    // a string is not markdown: no tag check without the security checks
    expect(issuesOf(withSettings({ htmlInMarkdown: 'error' }), patient('<b>Martin</b>'))).toEqual([]);
  });

  it('securityChecks: an HTML-like tag in any string or markdown is an error; plain text passes', () => {
    const secure = withSettings({ securityChecks: true });
    expect(issuesOf(secure, patient('<script>alert(1)</script>'))).toEqual(['text-html-security@Patient.name[0].family']);
    expect(issuesOf(secure, observation('pesé <b>après</b> le repas'))).toEqual(['text-html-security@Observation.note[0].text']);
    expect(secure.validateToIssues(patient('<img src=x onerror=alert(1)>')).find((i) => i.id === 'text-html-security')?.severity).toBe('error');
    expect(issuesOf(secure, patient("Martin-D'Aubigné"))).toEqual([]);
    expect(issuesOf(secure, observation('2 < 3 et 5 > 4'))).toEqual([]);
    // and the default lets the string through
    expect(issuesOf(validator, patient('<script>alert(1)</script>'))).toEqual([]);
  });
});
