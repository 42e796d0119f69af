import { describe, expect, it } from 'vitest';
import { VerifiedValue, sameJson } from './verified-values.js';

const code = () => ({ coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }], text: 'Poids' });

describe('sameJson: the same JSON as a remembered copy', () => {
  it('ignores the order of names, not their values, number or array order', () => {
    expect(sameJson({ text: 'Poids', coding: code().coding }, code())).toBe(true);
    expect(sameJson({ ...code(), id: 'x' }, code())).toBe(false);
    expect(sameJson({ coding: code().coding }, code())).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
  });
  it('tells apart what JSON tells apart: -0, a string for a number, null for a value, an array for an object', () => {
    expect(sameJson(-0, 0)).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson([], {})).toBe(false);
    expect(sameJson({}, [])).toBe(false);
  });
  it('never takes an object of another prototype than JSON gives for a remembered one', () => {
    expect(sameJson(Object.assign(Object.create({ extra: 1 }), code()), code())).toBe(false);
    expect(sameJson(new Date(0), {})).toBe(false);
  });
});

describe('VerifiedValue', () => {
  it('matches a value equal to the one remembered, at the same host and depth only', () => {
    const host = {};
    const clean = new VerifiedValue();
    expect(clean.matches(code(), host, 1)).toBe(false);
    clean.remember(code(), host, 1);
    expect(clean.matches(code(), host, 1)).toBe(true);
    expect(clean.matches(code(), {}, 1)).toBe(false);
    expect(clean.matches(code(), host, 2)).toBe(false);
  });
  it('keeps a copy: a value changed after it was found clean is not taken for it', () => {
    const host = {};
    const value = code();
    const clean = new VerifiedValue();
    clean.remember(value, host, 0);
    value.coding[0]!.code = '29463-8';
    expect(clean.matches(value, host, 0)).toBe(false);
    expect(clean.matches(code(), host, 0)).toBe(true);
  });
  it('remembers only plain JSON (no undefined, NaN, function or class instance inside)', () => {
    const host = {};
    for (const odd of [{ a: undefined }, { a: Number.NaN }, { a: () => 1 }, { a: new Date(0) }, [1, undefined]]) {
      const clean = new VerifiedValue();
      clean.remember(odd, host, 0);
      expect(clean.matches(odd, host, 0)).toBe(false);
    }
  });
  it('does not keep a value with a `__proto__` name (JSON.parse makes it a name; a copy would make it a prototype)', () => {
    const host = {};
    const clean = new VerifiedValue();
    clean.remember(JSON.parse('{"a":1}'), host, 0);
    clean.remember(JSON.parse('{"__proto__":{"a":1}}'), host, 0);
    // the earlier copy stays: neither `{}` nor the `__proto__` value is taken for it
    expect(clean.matches(JSON.parse('{"a":1}'), host, 0)).toBe(true);
    expect(clean.matches(JSON.parse('{}'), host, 0)).toBe(false);
    expect(clean.matches(JSON.parse('{"__proto__":{"a":1}}'), host, 0)).toBe(false);
    expect(clean.matches(JSON.parse('{"b":{"__proto__":{"a":1}}}'), host, 0)).toBe(false);
  });
  it('keeps only small values: a long text or a large block is walked each time', () => {
    const host = {};
    for (const big of [{ data: 'x'.repeat(5000) }, { coding: Array.from({ length: 400 }, (_, i) => ({ code: String(i) })) }]) {
      const clean = new VerifiedValue();
      clean.remember(big, host, 0);
      expect(clean.matches(structuredClone(big), host, 0)).toBe(false);
    }
  });
  it('stops at a place whose values keep changing', () => {
    const host = {};
    const clean = new VerifiedValue();
    for (let i = 0; i < 40 && !clean.off; i++) {
      clean.matches({ value: i }, host, 0);
      clean.remember({ value: i }, host, 0);
    }
    expect(clean.off).toBe(true);
    const steady = new VerifiedValue();
    steady.remember(code(), host, 0);
    for (let i = 0; i < 40; i++) expect(steady.matches(code(), host, 0)).toBe(true);
    expect(steady.off).toBe(false);
  });
  it('stops at a place whose values seldom repeat, not at one whose values mostly do', () => {
    const host = {};
    let seed = 1;
    const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const run = (valueOf: () => unknown) => {
      const clean = new VerifiedValue();
      for (let i = 0; i < 300 && !clean.off; i++) {
        const value = valueOf();
        if (!clean.matches(value, host, 0)) clean.remember(value, host, 0);
      }
      return clean.off;
    };
    expect(run(() => ({ source: Math.floor(random() * 7) }))).toBe(true);
    expect(run(() => ({ source: random() < 0.9 ? 0 : Math.floor(random() * 7) }))).toBe(false);
  });
});
