/**
 * Values already verified at an element, so that repeated ones are not walked again. Apps send the
 * same blocks again and again (a measure's `category` and `code`, its extensions): at one place of
 * a profile, a value equal to the last one
 * found without any issue has none either, so its walk (slices, bindings, extension definitions)
 * is skipped. The validator remembers a value only when its walk read nothing but the value and
 * the place: no issue at all, no reference or resource (their verdicts depend on the enclosing
 * Bundle or resource), no discriminator that resolves or checks a profile, no null item of a
 * primitive array (its `_name` companion makes it valid or not), not inside a slice's second walk.
 * Only small values are kept, and a place whose values seldom repeat stops keeping them.
 */

import { isPlainObject } from '@mes-fhir/core';

/** The last value found without issue at one element (a child of one set of children), and at which place and depth. */
export class VerifiedValue {
  private value: unknown = NOT_JSON;
  private place: unknown;
  private depth = -1;
  /** Hits and misses so far: a place whose values seldom repeat stops remembering them (a copy per miss would cost more than the hits save). */
  private hits = 0;
  private misses = 0;
  /** No longer used at this place (its values do not repeat). */
  off = false;

  /** Whether the value equals the one remembered, at the same place and depth. */
  matches(value: unknown, place: unknown, depth: number): boolean {
    if (this.off) return false;
    if (this.value !== NOT_JSON && place === this.place && depth === this.depth && sameJson(value, this.value)) {
      this.hits++;
      return true;
    }
    if (++this.misses > MIN_MISSES && this.misses > MISSES_PER_HIT * this.hits) this.off = true;
    return false;
  }

  /** Keeps a copy of a value found without issue (a copy: the caller may change the value afterwards). */
  remember(value: unknown, place: unknown, depth: number): void {
    const copy = jsonCopy(value, 0, { nodes: MAX_NODES });
    if (copy === NOT_JSON) return;
    this.value = copy;
    this.place = place;
    this.depth = depth;
  }
}

/** A place stops after this many misses, unless it hits at least once per MISSES_PER_HIT misses. */
const MIN_MISSES = 16;
const MISSES_PER_HIT = 3;
const MAX_DEPTH = 64;
/** Only small values are kept (a copy per place of each profile stays small): at most this many values and characters. */
const MAX_NODES = 256;
const MAX_STRING = 1024;
const NOT_JSON = Symbol('not JSON');
const hasOwn = Object.prototype.hasOwnProperty;

/** A deep copy of small plain JSON data (strings, finite numbers, booleans, null, arrays, plain objects), else NOT_JSON. */
function jsonCopy(v: unknown, depth: number, budget: { nodes: number }): unknown {
  if (--budget.nodes < 0) return NOT_JSON;
  if (typeof v === 'string') return v.length <= MAX_STRING ? v : NOT_JSON;
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NOT_JSON;
  if (typeof v !== 'object' || depth > MAX_DEPTH) return NOT_JSON;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const item = jsonCopy(v[i], depth + 1, budget);
      if (item === NOT_JSON) return NOT_JSON;
      out.push(item);
    }
    return out;
  }
  if (!isPlainObject(v)) return NOT_JSON;
  // An object literal, filled in the value's order: the copy gets the hidden class JSON.parse gives the
  // same names, so comparing reads it fast (an object without prototype is a slow dictionary). A
  // `__proto__` name (an own property from JSON.parse) would set the copy's prototype: not kept.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    if (key === '__proto__') return NOT_JSON;
    const item = jsonCopy((v as Record<string, unknown>)[key], depth + 1, budget);
    if (item === NOT_JSON) return NOT_JSON;
    out[key] = item;
  }
  return out;
}

/** Whether a value is the same JSON as a copy made by jsonCopy (same names and values; the order of names aside). */
export function sameJson(value: unknown, copy: unknown): boolean {
  if (typeof copy !== 'object' || copy === null) return typeof value === 'number' ? Object.is(value, copy) : value === copy;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(copy)) {
    if (!Array.isArray(value) || value.length !== copy.length) return false;
    for (let i = 0; i < copy.length; i++) if (!sameJson(value[i], copy[i])) return false;
    return true;
  }
  if (Array.isArray(value) || !isPlainObject(value)) return false;
  const c = copy as Record<string, unknown>;
  const v = value as Record<string, unknown>;
  let names = 0;
  for (const key in v) {
    if (!hasOwn.call(c, key) || !sameJson(v[key], c[key])) return false;
    names++;
  }
  for (const _ in c) names--;
  return names === 0;
}
