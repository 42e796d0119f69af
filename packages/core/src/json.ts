/** FHIR JSON as parsed: the helpers every package reads resources with. */

/** A JSON object (a resource, a data type, a backbone element). */
export type Json = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object as JSON.parse makes it (or one without prototype): no inherited names to read. */
export function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The value when it is a string, else undefined. */
export function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
