/**
 * Parameters: a reference inside a parameter that names a resource given in another parameter
 * (`Patient/p1`) resolves there, as in a Bundle whose entries have no fullUrl, so that its type and
 * target profiles are checked against that resource (the HL7 validator does the same). Parts
 * (`parameter.part`) are parameters too.
 */
import { isObject } from '@mes-fhir/core';
import { BundleTargets } from './bundle-targets.js';
import type { ResourceRule } from './resource-rule.js';

export const parametersRule: ResourceRule = {
  enter(ctx, parameters) {
    ctx.bundleTargets = new BundleTargets(resourcesOf(parameters.parameter));
    ctx.inDocument = false;
  },
};

/** The resources of parameters and their parts, as entries; without recursion (parts nest without limit). */
function resourcesOf(parameters: unknown): Array<{ resource: unknown }> {
  const found: Array<{ resource: unknown }> = [];
  const stack: unknown[] = [parameters];
  while (stack.length) {
    const list = stack.pop();
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (!isObject(p)) continue;
      if (isObject(p.resource)) found.push({ resource: p.resource });
      if (Array.isArray(p.part)) stack.push(p.part);
    }
  }
  return found;
}
