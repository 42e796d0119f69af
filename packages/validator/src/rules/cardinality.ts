/**
 * The shape and counts of an object's properties: names the element does not have, nulls, arrays
 * where single values go (and the reverse), cardinalities, and the one value of a choice. The walk
 * counts; these rules judge what it counted (called only off the common path).
 */
import type { Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import type { ElementLookup, LookupEntry } from '../plans/element-lookup.js';

/** A property the element does not have, or a null value. */
export function reportNameOrNull(ctx: ValidationContext, entry: LookupEntry | undefined, key: string, location: string): void {
  if (!entry) ctx.report('unknown-property', `${location}.${key}`, key);
  else ctx.report('null-value', `${location}.${key}`);
}

/** A single value where an array goes, an empty array, or an array where a single value goes (true: then every count is checked). */
export function reportArrayShape(ctx: ValidationContext, entry: LookupEntry, key: string, isArray: boolean, location: string): boolean {
  if (!isArray) ctx.report('array-expected', `${location}.${key}`, key);
  else if (entry.child.isArray) ctx.report('array-empty', `${location}.${key}`);
  else {
    ctx.report('array-not-allowed', `${location}.${key}`, key);
    return true;
  }
  return false;
}

/** A count out of a child's bounds, or two names of one choice. */
export function reportCount(ctx: ValidationContext, obj: Json, lookup: ElementLookup, c: number, n: number, location: string): void {
  const child = lookup.children[c]!;
  const jsonNamesOfChild = lookup.names[c]!.jsonNames;
  const present = Object.keys(obj).filter((k) => jsonNamesOfChild.includes(k) && obj[k] !== null);
  if (present.length > 1) ctx.report('choice-twice', `${location}.${present[1]}`, present.join(', '), child.name);
  if (n < child.min) ctx.report('cardinality-min', `${location}.${child.name.replace('[x]', '')}`, child.path, child.min, n);
  if (n > child.max) {
    const at = `${location}.${present[0] ?? child.name}`;
    if (child.max === 0) ctx.report('element-forbidden', at, child.path);
    else ctx.report('cardinality-max', at, child.path, child.max, n);
  }
}
