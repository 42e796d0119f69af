/**
 * FHIRPath invariants: a profile's constraints run on the resource (the engine is `invariants/`),
 * reported with the constraint's severity and key; ext-1, which sits on every extension, is
 * checked by the walk where it meets one.
 */
import type { Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import { EXT_1, extensionHoldsExt1, runInvariants, type InvariantPlan } from '../invariants/plan.js';

/** A resource walked as a contained one (its location ends in `.contained[n]`). */
const CONTAINED = /\.contained\[\d+\]$/;

export function checkInvariants(ctx: ValidationContext, plan: InvariantPlan, resource: Json, resourceType: string, location: string): void {
  // %rootResource is a contained resource's container, else the resource itself: a Bundle's entry
  // is a resource of its own, not part of the Bundle (the container is next to last on the stack)
  const contained = CONTAINED.test(location);
  const rootResource = contained ? (ctx.resourceStack.at(-2) ?? resource) : resource;
  const failures = runInvariants(plan, resource, { resource, rootResource });
  for (let i = 0; i < failures.length; i++) {
    const f = failures[i]!;
    // R4 (DomainResource.text): "Contained resources do not have narrative", so dom-6 asks it of the others only
    if (contained && f.constraint.key === 'dom-6') continue;
    // the plan locates from the resource's type; a nested resource sits at its own location
    const at = location === resourceType ? f.location : f.location.replace(/^[A-Za-z]+/, location);
    if (f.error) {
      ctx.reportKeyed(f.constraint.key, 'invariant-not-evaluated', at, f.constraint.key, f.error);
    } else ctx.reportConstraint(f.constraint.severity, f.constraint.key, at, f.constraint.human);
  }
}

/** ext-1 on an extension the walk meets. */
export function checkExtensionInvariant(ctx: ValidationContext, extension: Json, location: string): void {
  if (!extensionHoldsExt1(extension)) ctx.reportKeyed(EXT_1.key, 'extension-value-and-children', location);
}
