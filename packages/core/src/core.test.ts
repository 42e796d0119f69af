import { describe, expect, it } from 'vitest';
import {
  MESSAGE_ID_EXTENSION,
  escapeControlCharacters,
  escapeMarkup,
  forbiddenControlCharacter,
  isError,
  isObject,
  isPlainObject,
  isValid,
  messageIdOf,
  toOperationOutcome,
  type Issue,
} from './index.js';

describe('json', () => {
  it('isObject: objects only, not null or arrays', () => {
    expect([{}, { a: 1 }, Object.create(null)].every(isObject)).toBe(true);
    expect([null, [], 'x', 1, undefined, true].some(isObject)).toBe(false);
  });
  it('isPlainObject: what JSON.parse makes, not class instances', () => {
    expect(isPlainObject(JSON.parse('{"a":1}'))).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(Object.create({ inherited: 1 }))).toBe(false);
  });
});

describe('toOperationOutcome', () => {
  const issue: Issue = { severity: 'error', code: 'structure', location: 'Patient.x', message: 'unknown property "x"', id: 'unknown-property' };

  it('writes the message in details.text and diagnostics, the location as expression, the id as the HL7 extension', () => {
    const outcome = toOperationOutcome([issue]);
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'structure',
          details: { text: issue.message },
          diagnostics: issue.message,
          expression: ['Patient.x'],
          extension: [{ url: MESSAGE_ID_EXTENSION, valueString: 'unknown-property' }],
        },
      ],
    });
    expect(messageIdOf(outcome.issue[0]!)).toBe('unknown-property');
    expect(isValid(outcome)).toBe(false);
  });

  it('leaves out what an issue does not have (no location, no id)', () => {
    const [only] = toOperationOutcome([{ severity: 'warning', code: 'value', location: '', message: 'm' }]).issue;
    expect(only).toEqual({ severity: 'warning', code: 'value', details: { text: 'm' }, diagnostics: 'm' });
    expect(messageIdOf(only!)).toBeUndefined();
  });

  it('no issue: one informational issue, valid', () => {
    const outcome = toOperationOutcome([]);
    expect(outcome.issue).toHaveLength(1);
    expect(outcome.issue[0]!.severity).toBe('information');
    expect(isValid(outcome)).toBe(true);
  });

  it('isError: error and fatal only', () => {
    expect(['fatal', 'error', 'warning', 'information'].map((severity) => isError({ severity } as Issue))).toEqual([true, true, false, false]);
  });
});

describe('fixed and pattern values', () => {
  it('a pattern matches a value that has at least its properties, arrays containing a match', async () => {
    const { matchesPattern } = await import('./index.js');
    const pattern = { coding: [{ system: 'http://loinc.org', code: '29463-7' }] };
    expect(
      matchesPattern(
        {
          coding: [
            { system: 'x', code: 'y' },
            { system: 'http://loinc.org', code: '29463-7', display: 'Poids' },
          ],
          text: 't',
        },
        pattern,
      ),
    ).toBe(true);
    expect(matchesPattern({ coding: [{ system: 'http://loinc.org', code: '8302-2' }] }, pattern)).toBe(false);
    expect(matchesPattern('kg', 'kg')).toBe(true);
  });
  it('a fixed value is exactly equal: no extra property, same order in arrays', async () => {
    const { deepEqual } = await import('./index.js');
    expect(deepEqual({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
  });
});

describe('isBase64Binary', () => {
  const R4 = /^(?:(\s*([0-9a-zA-Z\+/=]){4}\s*)+)$/;
  it('gives the verdict of the R4 regex, on generated strings of its alphabet, whitespace and others', async () => {
    const { isBase64Binary } = await import('./index.js');
    const fc = (await import('fast-check')).default;
    const char = fc.constantFrom('A', 'z', '0', '+', '/', '=', ' ', '\n', '\t', '\u00a0', '\u2028', '!', '-', 'é');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 14 }), (chars) => {
        const s = chars.join('');
        expect(isBase64Binary(s)).toBe(R4.test(s));
      }),
      { numRuns: 20_000, seed: 20261203 },
    );
    for (const s of ['AAAA', ' AAAA ', 'AAAA AAAA', 'AAAAAAAA', 'QUJD\nREVG', 'aGk=']) expect(isBase64Binary(s), s).toBe(true);
    for (const s of ['', ' ', 'AAA', 'AA AA', 'AAAA!', 'AAAA-AAA']) expect(isBase64Binary(s), s).toBe(false);
  });
  it('decides a long value that fails at its end in one pass (the R4 regex backtracks exponentially on it)', async () => {
    const { isBase64Binary } = await import('./index.js');
    // 200,000 groups: the regex would not finish; one pass reads each character once
    expect(isBase64Binary(`${'AAAA '.repeat(200_000)}!`)).toBe(false);
    expect(isBase64Binary('AAAA '.repeat(200_000))).toBe(true);
  });
});

describe('escapeControlCharacters', () => {
  it('writes control characters as \\uXXXX and leaves the rest', () => {
    expect(escapeControlCharacters('a\nb\u001b[2Kc\u0085 é 😀')).toBe('a\\u000ab\\u001b[2Kc\\u0085 é 😀');
    expect(escapeControlCharacters('plain')).toBe('plain');
  });
});

describe('escapeMarkup', () => {
  it('escapes the markup characters, drops what XML refuses, keeps tab, newlines and whole surrogate pairs', () => {
    expect(escapeMarkup(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect(escapeMarkup('a\u0000b\u001bc\ufffe\td\r\n😀')).toBe('abc\td\r\n😀');
    expect(escapeMarkup('x\ud800y\udc00z')).toBe('xyz');
  });
});

describe('forbiddenControlCharacter', () => {
  it('names the first character FHIR strings forbid, and lets tab, CR and LF through', () => {
    expect(forbiddenControlCharacter('a\tb\r\nc')).toBeUndefined();
    expect(forbiddenControlCharacter('a\u0000b\u001b')).toBe('U+0000');
    expect(forbiddenControlCharacter('x\u001b[2K')).toBe('U+001B');
  });
});
