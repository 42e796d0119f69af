/**
 * Run-time pieces the generated schemas call (imported there as `R`): lazy typed data-type
 * schemas, resource checks, slice and pattern checks.
 */
import { z } from 'zod';
import type * as fhir4 from 'fhir/r4.js';
import { isObject, matchesPattern } from '@mes-fhir/core';

/** A lazily built schema given the static type of the matching @types/fhir interface. */
export function typed<T>(build: () => z.ZodType): z.ZodType<T> {
  return z.lazy(build) as unknown as z.ZodType<T>;
}

/** Any resource: an object with a string resourceType (its own profile is checked separately). */
export const anyResource = z.custom<fhir4.FhirResource>((v) => isObject(v) && typeof v.resourceType === 'string', {
  message: 'expected a FHIR resource (an object with a resourceType)',
});

/** A resource of the given type, not checked further here. */
export function resourceOf<T extends fhir4.FhirResource>(resourceType: T['resourceType']): z.ZodType<T> {
  return z.custom<T>((v) => isObject(v) && v.resourceType === resourceType, { message: `expected a ${resourceType} resource` });
}

export function pattern(expected: unknown) {
  return (value: unknown, ctx: z.RefinementCtx): void => {
    if (!matchesPattern(value, expected)) {
      ctx.addIssue({ code: 'custom', message: `does not match the required pattern ${JSON.stringify(expected)}` });
    }
  };
}

/**
 * A required binding on a Coding or CodeableConcept: the Coding (or one of the concept's codings)
 * is one of the value set's `system|code` pairs.
 */
export function codedIn(allowed: readonly string[]) {
  const set = new Set(allowed);
  return (value: unknown, ctx: z.RefinementCtx): void => {
    if (!isObject(value)) return;
    const codings = Array.isArray(value.coding) ? value.coding : 'code' in value ? [value] : [];
    const ok = codings.some((c) => isObject(c) && set.has(`${String(c.system)}|${String(c.code)}`));
    if (!ok)
      ctx.addIssue({ code: 'custom', message: `no code from the required value set (${allowed.slice(0, 5).join(', ')}${allowed.length > 5 ? ', …' : ''})` });
  };
}

export interface SliceSpec {
  name: string;
  min: number;
  max: number;
  /** Values the items of this slice carry at the discriminator paths. */
  match: Array<{ path: string; value: unknown; kind: 'value' | 'pattern' }>;
  schema: z.ZodType;
}

function valuesAt(item: unknown, path: string): unknown[] {
  let current: unknown[] = [item];
  for (const part of path.split('.')) {
    if (part === '$this') continue;
    current = current.flatMap((v) => {
      if (!isObject(v)) return [];
      const next = v[part];
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return current;
}

/**
 * Which slice an item belongs to, or undefined. Slices without discriminator values never match.
 * When several match (slices by profile that share a resource type: an MHD SubmissionSet and a
 * Folder are both Lists), the first whose schema the item passes; else the first.
 */
export function sliceOf(item: unknown, specs: SliceSpec[]): SliceSpec | undefined {
  const candidates = specs.filter((s) => s.match.length > 0 && s.match.every((m) => valuesAt(item, m.path).some((v) => matchesPattern(v, m.value))));
  if (candidates.length <= 1) return candidates[0];
  return candidates.find((s) => s.schema.safeParse(item).success) ?? candidates[0];
}

/** The schema when its inferred type and T are assignable to each other; `never` otherwise. */
type Agreeing<S extends z.ZodType, T> = [z.output<S>] extends [T] ? ([T] extends [z.output<S>] ? S : never) : never;

/**
 * Types a generated schema as its profile's interface, and fails to compile unless the schema's
 * inferred type and the interface agree both ways. The declaration then reads `z.ZodType<T>`
 * instead of zod's deeply nested inferred type, which a vendor's compiler would re-check on every
 * build (see scripts/PERFORMANCE.md).
 */
export function agreeing<T>() {
  return <S extends z.ZodType>(schema: S & Agreeing<S, T>): z.ZodType<T> => schema as unknown as z.ZodType<T>;
}

/** The schema of a closed slicing's items, typed as the union of its slices (the slice check enforces it). */
export function asSlices<T>(schema: z.ZodType): z.ZodType<T> {
  return schema as unknown as z.ZodType<T>;
}

/**
 * Checks an array against its slices: each item that matches a slice's discriminator values must
 * pass that slice's schema; each slice's cardinality holds; closed slicing admits no other item.
 */
export function slices(rules: 'open' | 'closed' | 'openAtEnd', specs: SliceSpec[]) {
  return (items: unknown[], ctx: z.RefinementCtx): void => {
    const counts = new Map<string, number>();
    items.forEach((item, index) => {
      const slice = sliceOf(item, specs);
      if (!slice) {
        if (rules === 'closed')
          ctx.addIssue({ code: 'custom', path: [index], message: `item matches none of the slices ${specs.map((s) => s.name).join(', ')} (closed slicing)` });
        return;
      }
      counts.set(slice.name, (counts.get(slice.name) ?? 0) + 1);
      const result = slice.schema.safeParse(item);
      if (!result.success) {
        for (const issue of result.error.issues)
          ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: `slice ${slice.name}: ${issue.message}` });
      }
    });
    for (const s of specs) {
      const n = counts.get(s.name) ?? 0;
      if (n < s.min) ctx.addIssue({ code: 'custom', message: `slice ${s.name} requires at least ${s.min} item(s), found ${n}` });
      if (n > s.max) ctx.addIssue({ code: 'custom', message: `slice ${s.name} allows at most ${s.max} item(s), found ${n}` });
    }
  };
}
