/**
 * References: the format, the target type the element allows, the target profile when the target
 * is in the Bundle or contained, local references to contained resources (ref-1), and in a
 * document Bundle, that every reference resolves inside it.
 */
import { isObject, type Json } from '@mes-fhir/core';
import type { TypeRef } from '@mes-fhir/profile-model';
import type { ValidationContext } from '../context.js';
import type { ProfilePlans } from '../plans/profile-plans.js';

const REFERENCE_FORMAT =
  /^(#.*|urn:uuid:[0-9a-fA-F-]{36}|urn:oid:[0-2](\.(0|[1-9][0-9]*))+|([A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?|[a-z][a-z0-9+.-]*:.+)$/;
const TYPE_AND_ID = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[^/]+)?$/;

export function checkReference(ctx: ValidationContext, plans: ProfilePlans, ref: Json, type: TypeRef, location: string): void {
  const reference = ref.reference;
  if (typeof reference !== 'string') return;
  if (reference.startsWith('#')) {
    // `#` alone is the container itself, from one of its contained resources
    if (reference.length === 1) return;
    // ref-1, checked here: a local reference points to a contained resource of the same resource
    // (a contained resource may point to a sibling: `#id` resolves in the resource or any container of it)
    const contained = resolveLocal(ctx, reference);
    if (!contained) ctx.reportKeyed('ref-1', 'local-reference-unresolved', location);
    // and the contained resource is of a type, and meets the profiles, the element allows
    else checkTarget(ctx, plans, type, location, contained, undefined, ctx.resourceStack);
    return;
  }
  if (!REFERENCE_FORMAT.test(reference)) {
    ctx.report('reference-format', `${location}.reference`, reference);
    return;
  }
  const target = ctx.bundleTargets?.resolve(reference, ctx.resourceStack);
  const typeFromText = TYPE_AND_ID.exec(reference)?.[1];
  if (typeFromText && !/^[a-z]+:/.test(reference) && !plans.isResourceType(typeFromText)) {
    ctx.report('reference-type-unknown', `${location}.reference`, typeFromText);
    return;
  }
  // In a document, every reference resolves inside the Bundle (relative and urn: ones at least).
  if (ctx.inDocument && !target && !/^https?:/.test(reference)) ctx.report('reference-outside-document', `${location}.reference`, reference);
  checkTarget(ctx, plans, type, location, target, typeFromText);
}

/** The target (when found, else the type its text names) against the types and the profiles the element allows. */
function checkTarget(
  ctx: ValidationContext,
  plans: ProfilePlans,
  type: TypeRef,
  location: string,
  target: Json | undefined,
  typeFromText: string | undefined,
  /** For a contained target: the resources it sits in, where its own `#id` references resolve. */
  containers?: readonly unknown[],
): void {
  const allowedTypes = plans.targetTypesOf(type);
  const targetType = (target && typeof target.resourceType === 'string' ? target.resourceType : undefined) ?? typeFromText;
  if (targetType && allowedTypes.size && !allowedTypes.has(targetType) && !allowedTypes.has('Resource')) {
    ctx.report('reference-type-not-allowed', `${location}.reference`, targetType, [...allowedTypes].join(', '));
    return;
  }
  if (target && targetType && type.targetProfiles.length) {
    const profiles = plans.targetProfilesFor(type, targetType);
    if (profiles.length && !profiles.some((p) => ctx.revalidation.meets(target, p, containers)))
      ctx.report('reference-target-profile', `${location}.reference`, targetType, profiles.join(' or '));
  }
}

/** A reference resolved where the validator can see: the enclosing Bundle, or the contained resources (`#id`) of the resources being walked. */
export function resolveLocal(ctx: ValidationContext, reference: string): Json | undefined {
  if (reference.startsWith('#')) {
    const id = reference.slice(1);
    for (const r of ctx.resourceStack) {
      const found = isObject(r) && Array.isArray(r.contained) ? containedById(ctx, r.contained).get(id) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  return ctx.bundleTargets?.resolve(reference, ctx.resourceStack);
}

/** The contained resources of a resource by id, indexed once per validation: each local reference is then one lookup, not a scan. */
function containedById(ctx: ValidationContext, contained: unknown[]): Map<unknown, Json> {
  const indexes = (ctx.containedById ??= new Map());
  let index = indexes.get(contained);
  if (!index) {
    index = new Map();
    // the first of two with one id, as a scan would find
    for (const c of contained) if (isObject(c) && !index.has(c.id)) index.set(c.id, c);
    indexes.set(contained, index);
  }
  return index;
}
