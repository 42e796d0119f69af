const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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

/** Discriminator paths split once (a handful per profile, read for every sliced item). */
const pathSteps = new Map<string, string[]>();

/** Values found at a dotted path below a value (arrays flattened). */
export function valuesAt(item: unknown, path: string): unknown[] {
  if (path === '$this') return [item];
  let steps = pathSteps.get(path);
  if (!steps) pathSteps.set(path, (steps = path.split('.')));
  let current: unknown[] = [item];
  for (const part of steps) {
    if (part === '$this') continue;
    const next: unknown[] = [];
    for (const v of current) {
      if (!isObject(v) || !Object.prototype.hasOwnProperty.call(v, part)) continue;
      const x = v[part];
      if (Array.isArray(x)) next.push(...x);
      else if (x !== undefined && x !== null) next.push(x);
    }
    current = next;
  }
  return current;
}

/** Whether a test holds for some value at a path's steps below a value: `valuesAt` without the lists (slicing asks for every item). */
export function someValueAt(value: unknown, steps: string[], test: (v: unknown) => boolean, from = 0): boolean {
  if (from === steps.length) return test(value);
  if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, steps[from]!)) return false;
  const x = value[steps[from]!];
  if (!Array.isArray(x)) return x !== undefined && x !== null && someValueAt(x, steps, test, from + 1);
  for (let i = 0; i < x.length; i++) if (x[i] !== undefined && x[i] !== null && someValueAt(x[i], steps, test, from + 1)) return true;
  return false;
}

/** An object as JSON.parse makes it (or one without prototype): no inherited names to read. */
const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export { isObject, isPlainObject };
