/** The value semantics of ElementDefinition.fixed[x] and pattern[x], shared by the validator and the schemas. */
import { isObject } from './json.js';

/** FHIR pattern semantics: every property of the pattern is present with a matching value; arrays contain a match. */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value)) return false;
    return pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (isObject(pattern)) {
    if (!isObject(value)) return false;
    // for…in: no list of names per call (patterns are plain JSON from the definitions)
    for (const k in pattern) if (!matchesPattern(value[k], pattern[k])) return false;
    return true;
  }
  return value === pattern;
}

/** FHIR fixed semantics: exactly equal (same properties, same values, same array order). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
