import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders } from '@mes-fhir/fhir-packages';
import { Terminology } from './terminology.js';
import { validateMimeType } from './mime-types.js';
import { convertUcum, ucumCommensurable, validateUcum } from './ucum.js';

const CS = 'http://example.org/cs/shapes';
let root: string;
let terminology: Terminology;

const resources = [
  {
    resourceType: 'CodeSystem',
    url: CS,
    content: 'complete',
    caseSensitive: true,
    property: [{ code: 'sides', type: 'integer' }],
    concept: [
      {
        code: 'polygon',
        display: 'Polygon',
        concept: [
          { code: 'triangle', display: 'Triangle', property: [{ code: 'sides', valueInteger: 3 }] },
          { code: 'square', display: 'Square', property: [{ code: 'sides', valueInteger: 4 }] },
          { code: 'rectangle', display: 'Rectangle', property: [{ code: 'sides', valueInteger: 4 }] },
        ],
      },
      { code: 'circle', display: 'Circle' },
    ],
  },
  { resourceType: 'CodeSystem', url: 'http://example.org/cs/fragment', content: 'fragment', concept: [{ code: 'a' }] },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/polygons',
    compose: { include: [{ system: CS, filter: [{ property: 'concept', op: 'is-a', value: 'polygon' }] }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/strict-polygons',
    compose: { include: [{ system: CS, filter: [{ property: 'concept', op: 'descendent-of', value: 'polygon' }] }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/four-sides',
    compose: { include: [{ system: CS, filter: [{ property: 'sides', op: '=', value: '4' }] }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/regex',
    compose: { include: [{ system: CS, filter: [{ property: 'code', op: 'regex', value: '.*angle' }] }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/imported-minus-square',
    compose: { include: [{ valueSet: ['http://example.org/vs/strict-polygons'] }], exclude: [{ system: CS, concept: [{ code: 'square' }] }] },
  },
  { resourceType: 'ValueSet', url: 'http://example.org/vs/cycle-a', compose: { include: [{ valueSet: ['http://example.org/vs/cycle-b'] }] } },
  { resourceType: 'ValueSet', url: 'http://example.org/vs/cycle-b', compose: { include: [{ valueSet: ['http://example.org/vs/cycle-a'] }] } },
  { resourceType: 'ValueSet', url: 'http://example.org/vs/missing-import', compose: { include: [{ valueSet: ['http://example.org/vs/nowhere'] }] } },
  { resourceType: 'ValueSet', url: 'http://example.org/vs/all-loinc', compose: { include: [{ system: 'http://loinc.org' }] } },
  { resourceType: 'ValueSet', url: 'http://example.org/vs/mimetypes', compose: { include: [{ system: 'urn:ietf:bcp:13' }] } },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/mimetypes-and-shapes',
    compose: { include: [{ system: 'urn:ietf:bcp:13' }, { system: CS }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/some-loinc',
    compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '29463-7', display: 'Body weight' }] }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/bad-filter',
    compose: { include: [{ system: CS, filter: [{ property: 'concept', op: 'child-of', value: 'polygon' }] }] },
  },
  // hostile packages: value sets that import each other in a diamond (2^40 paths), a chain deeper
  // than the bound, a code system nested 50,000 deep, a regex filter that backtracks exponentially
  ...Array.from({ length: 41 }, (_, i) => ({
    resourceType: 'ValueSet',
    url: `http://example.org/vs/diamond-${i}`,
    compose: {
      include:
        i === 40
          ? [{ system: CS, concept: [{ code: 'circle' }] }, { system: 'http://loinc.org' }]
          : [{ valueSet: [`http://example.org/vs/diamond-${i + 1}`] }, { valueSet: [`http://example.org/vs/diamond-${i + 1}`] }],
    },
  })),
  ...Array.from({ length: 60 }, (_, i) => ({
    resourceType: 'ValueSet',
    url: `http://example.org/vs/chain-${i}`,
    compose: { include: i === 59 ? [{ system: CS, concept: [{ code: 'circle' }] }] : [{ valueSet: [`http://example.org/vs/chain-${i + 1}`] }] },
  })),
  {
    resourceType: 'CodeSystem',
    url: 'http://example.org/cs/regex-trap',
    content: 'complete',
    concept: [{ code: `${'a'.repeat(40)}!` }, { code: 'aaa' }],
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/regex-trap',
    compose: { include: [{ system: 'http://example.org/cs/regex-trap', filter: [{ property: 'code', op: 'regex', value: '(a+)+' }] }] },
  },
  {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/deep',
    compose: { include: [{ system: 'http://example.org/cs/deep', filter: [{ property: 'concept', op: 'is-a', value: 'c0' }] }] },
  },
];

/** A CodeSystem whose concepts nest 50,000 deep, written as text (JSON.stringify would recurse as deep). */
const DEEP = 50_000;
const deepCodeSystem = `{"resourceType":"CodeSystem","url":"http://example.org/cs/deep","content":"complete","concept":${Array.from(
  { length: DEEP },
  (_, i) => `[{"code":"c${i}","concept":`,
).join('')}[]${'}]'.repeat(DEEP)}}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'terminology-'));
  await mkdir(join(root, 'pkg'));
  await Promise.all(resources.map((r, i) => writeFile(join(root, 'pkg', `r${i}.json`), JSON.stringify(r))));
  await writeFile(join(root, 'pkg', 'deep.json'), deepCodeSystem);
  terminology = new Terminology(indexFolders([{ label: 'test', dir: join(root, 'pkg') }]));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const codes = (url: string) => {
  const e = terminology.expand(url);
  if (!e.ok) throw new Error(e.message);
  return e.concepts.map((c) => c.code).sort();
};

describe('hostile packages', () => {
  it('value sets that import each other in a diamond are expanded once each', () => {
    const expansion = terminology.expand('http://example.org/vs/diamond-0');
    expect(expansion).toMatchObject({ ok: false, reason: 'external-system' });
    // and answered code by code without walking the 2^40 paths
    expect(terminology.validateCode({ valueSet: 'http://example.org/vs/diamond-0', system: CS, code: 'circle' }).result).toBe('valid');
    expect(terminology.validateCode({ valueSet: 'http://example.org/vs/diamond-0', system: 'http://loinc.org', code: '29463-7' }).result).toBe('unknown');
  });
  it('imports deeper than the bound are refused with the reason', () => {
    expect(terminology.expand('http://example.org/vs/chain-0')).toMatchObject({
      ok: false,
      reason: 'too-deep',
      message: expect.stringMatching(/more than 50 deep/),
    });
    expect(codes('http://example.org/vs/chain-20')).toEqual(['circle']);
  });
  it('a code system nested 50,000 deep is read without recursion', () => {
    expect(terminology.expand('http://example.org/vs/deep')).toMatchObject({ ok: false, reason: 'too-large' });
    expect(terminology.validateCode({ valueSet: 'http://example.org/vs/deep', system: 'http://example.org/cs/deep', code: `c${DEEP - 1}` }).result).toBe(
      'valid',
    );
    expect(terminology.lookup('http://example.org/cs/deep', `c${DEEP - 1}`)).toBeDefined();
  });
  it('regex filters run in linear time (RE2), and a syntax RE2 does not have is refused', () => {
    expect(codes('http://example.org/vs/regex-trap')).toEqual(['aaa']);
    const view = terminology.codeSystem(CS)!;
    expect(view.filter({ property: 'code', op: 'regex', value: '(a)\\1' })).toMatch(/not supported \(RE2 syntax/);
  });
  it('urls that resolve to nothing are not remembered', () => {
    for (let i = 0; i < 1000; i++) {
      expect(terminology.validateCode({ system: `http://example.org/unknown/${i}`, code: 'x' }).result).toBe('unknown');
      expect(terminology.expand(`http://example.org/unknown-vs/${i}`).ok).toBe(false);
    }
    const sizes = terminology as unknown as { codeSystems: Map<string, unknown>; expansions: Map<string, unknown> };
    expect([...sizes.codeSystems.keys()].some((url) => url.includes('/unknown/'))).toBe(false);
    expect([...sizes.expansions.keys()].some((url) => url.includes('/unknown-vs/'))).toBe(false);
  });
});

describe('$expand', () => {
  it('evaluates is-a, descendent-of, = on a property and regex filters', () => {
    expect(codes('http://example.org/vs/polygons')).toEqual(['polygon', 'rectangle', 'square', 'triangle']);
    expect(codes('http://example.org/vs/strict-polygons')).toEqual(['rectangle', 'square', 'triangle']);
    expect(codes('http://example.org/vs/four-sides')).toEqual(['rectangle', 'square']);
    expect(codes('http://example.org/vs/regex')).toEqual(['rectangle', 'triangle']);
  });

  it('imports value sets and applies excludes', () => {
    expect(codes('http://example.org/vs/imported-minus-square')).toEqual(['rectangle', 'triangle']);
  });

  it('enumerates explicit concepts of an external system', () => {
    expect(codes('http://example.org/vs/some-loinc')).toEqual(['29463-7']);
  });

  it.each([
    ['http://example.org/vs/cycle-a', 'cycle', /cycle-a → http:\/\/example.org\/vs\/cycle-b → http:\/\/example.org\/vs\/cycle-a/],
    ['http://example.org/vs/missing-import', 'not-found', /vs\/nowhere \(imported by http:\/\/example.org\/vs\/missing-import\)/],
    ['http://example.org/vs/all-loinc', 'external-system', /http:\/\/loinc.org is not loaded/],
    ['http://example.org/vs/bad-filter', 'unsupported-filter', /"child-of" is not supported/],
    ['http://example.org/vs/absent', 'not-found', /not in the loaded packages/],
  ])('explains why %s cannot be expanded', (url, reason, message) => {
    const e = terminology.expand(url);
    expect(e.ok).toBe(false);
    if (e.ok) return;
    expect(e.reason).toBe(reason);
    expect(e.message).toMatch(message);
  });
});

describe('$validate-code and $lookup', () => {
  it('checks membership in an expanded value set', () => {
    expect(terminology.validateCode({ system: CS, code: 'square', valueSet: 'http://example.org/vs/four-sides' }).result).toBe('valid');
    const out = terminology.validateCode({ system: CS, code: 'triangle', valueSet: 'http://example.org/vs/four-sides' });
    expect(out.result).toBe('invalid');
    expect(out.message).toMatch(/not in value set/);
  });

  it('reports a wrong display as a mismatch, not as invalid', () => {
    const out = terminology.validateCode({ system: CS, code: 'square', display: 'Carré', valueSet: 'http://example.org/vs/polygons' });
    expect(out).toMatchObject({ result: 'valid', displayMismatch: true, display: 'Square' });
  });

  it('answers "unknown" for codes of external or incomplete systems, not invalid', () => {
    expect(terminology.validateCode({ system: 'http://loinc.org', code: '8302-2', valueSet: 'http://example.org/vs/all-loinc' }).result).toBe('unknown');
    expect(terminology.validateCode({ system: 'http://loinc.org', code: '8302-2' }).result).toBe('unknown');
    expect(terminology.validateCode({ system: 'http://example.org/cs/fragment', code: 'zz' }).result).toBe('unknown');
    expect(terminology.validateCode({ system: 'http://loinc.org', code: '8302-2', valueSet: 'http://example.org/vs/some-loinc' }).result).toBe('invalid');
  });

  it('validates against a code system and looks codes up', () => {
    expect(terminology.validateCode({ system: CS, code: 'circle' }).result).toBe('valid');
    expect(terminology.validateCode({ system: CS, code: 'Circle' }).result).toBe('invalid');
    expect(terminology.lookup(CS, 'triangle')).toMatchObject({ display: 'Triangle', properties: { sides: ['3'] } });
    expect(terminology.lookup(CS, 'hexagon')).toBeUndefined();
  });

  it('validates UCUM codes when the system is UCUM', () => {
    expect(terminology.validateCode({ system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }).result).toBe('valid');
    expect(terminology.validateCode({ system: 'http://unitsofmeasure.org', code: 'mmHg' }).result).toBe('invalid');
  });
});

describe('media types (BCP 13)', () => {
  it.each(['text/xml', 'application/pdf', 'application/fhir+json; charset=utf-8', 'image/svg+xml', 'text/plain;charset="utf-8"', 'Application/PDF'])(
    'accepts %s',
    (code) => expect(validateMimeType(code)).toEqual({ valid: true }),
  );
  it.each([
    ['pdf', /is not a media type/],
    ['json', /is not a media type/],
    ['text/', /is not a media type/],
    ['/xml', /is not a media type/],
    ['text /xml', /is not a media type/],
    ['txt/xml', /txt is not a registered top-level media type/],
    ['text/plain; charset', /the parameter "charset" is not name=value/],
    ['text/plain; charset=', /the parameter "charset=" is not name=value/],
  ])('refuses %s', (code, message) => {
    const check = validateMimeType(code);
    expect(check.valid).toBe(false);
    expect(check.valid ? '' : check.message).toMatch(message);
  });
  it('checks a bare code against a value set of BCP 13, whose one system it implies', () => {
    expect(terminology.validateCode({ code: 'text/xml', valueSet: 'http://example.org/vs/mimetypes' }).result).toBe('valid');
    expect(terminology.validateCode({ code: 'pdf', valueSet: 'http://example.org/vs/mimetypes' }).result).toBe('invalid');
    expect(terminology.validateCode({ system: 'urn:ietf:bcp:13', code: 'text/xml' }).result).toBe('valid');
    // two systems: a bare code names neither
    expect(terminology.validateCode({ code: 'text/xml', valueSet: 'http://example.org/vs/mimetypes-and-shapes' })).toMatchObject({
      result: 'unknown',
      message: expect.stringMatching(/no system given/),
    });
  });
});

describe('UCUM', () => {
  it.each(['kg', 'cm', 'mm[Hg]', 'Cel', '/min', 'mg/dL', '%', 'kg/m2', '1/(24.h)', '1'])('accepts %s', (unit) => {
    expect(validateUcum(unit).valid).toBe(true);
  });
  it.each(['lb', 'mmHg', 'KG', 'degC', ' kg', 'bpm'])('rejects %s', (unit) => {
    expect(validateUcum(unit).valid).toBe(false);
  });
  it('refuses a code longer than 128 characters without parsing it (the library takes seconds on long hostile codes)', () => {
    const long = validateUcum('m.'.repeat(40_000));
    expect(long.valid).toBe(false);
    expect(long.message).toMatch(/longer than 128 characters$/);
    expect(long.message!.length).toBeLessThan(120);
    // up to the bound, the library decides as before
    expect(validateUcum(`${'m.'.repeat(63)}m`).valid).toBe(true);
  });
  it('keeps the library quiet: it logs the errors it catches on some codes, which would corrupt JSON output', () => {
    const logged: unknown[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logged.push(args);
    try {
      expect(validateUcum('[()%kg').valid).toBe(false);
      expect(convertUcum(1, '[()%kg', 'kg')).toBeUndefined();
    } finally {
      console.log = log;
    }
    expect(logged).toEqual([]);
  });
  it('proposes valid codes for an invalid one, when asked', () => {
    expect(validateUcum('lb').suggestions).toContain('[lb_ap]');
    expect(validateUcum('kg').suggestions).toBeUndefined();
  });
  it('compares and converts units', () => {
    expect(ucumCommensurable('mg/dL', 'g/L')).toBe(true);
    expect(ucumCommensurable('kg', 'cm')).toBe(false);
    expect(convertUcum(100, 'mg/dL', 'g/L')).toBeCloseTo(1);
    // codes past the UCUM bound are not handed to the library (its parser takes seconds on them)
    expect(convertUcum(1, 'm.'.repeat(40_000), 'm')).toBeUndefined();
  });
});
