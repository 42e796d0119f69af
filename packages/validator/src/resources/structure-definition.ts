/**
 * StructureDefinition, beyond its invariants: a profile named on an element's type constrains that
 * type. A Count profile on a Quantity element is the classic mistake: Count is a type of its own
 * (a specialization of Quantity), not a profile of it, and no Quantity can meet it. An element of
 * an abstract resource type (Resource, DomainResource) may name a profile of any resource.
 */
import { isObject } from '@mes-fhir/core';
import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import type { ResourceRule } from './resource-rule.js';

const ABSTRACT_RESOURCES = new Set(['Resource', 'DomainResource']);

export const structureDefinitionRule: ResourceRule = {
  check(ctx, sd, location, definitions) {
    for (const part of ['differential', 'snapshot'] as const) {
      const view = sd[part];
      const elements = isObject(view) && Array.isArray(view.element) ? view.element : [];
      elements.forEach((element, e) => {
        if (!isObject(element) || !Array.isArray(element.type)) return;
        element.type.forEach((type, t) => {
          if (!isObject(type) || typeof type.code !== 'string' || !Array.isArray(type.profile)) return;
          type.profile.forEach((profile, p) => {
            if (typeof profile !== 'string') return;
            const constrained = constrainedType(definitions, profile);
            if (constrained === undefined || constrained === type.code) return;
            if (ABSTRACT_RESOURCES.has(type.code as string) && isResourceType(definitions, constrained)) return;
            ctx.report('sd-type-profile-mismatch', `${location}.${part}.element[${e}].type[${t}].profile[${p}]`, profile, constrained, type.code as string);
          });
        });
      });
    }
  },
};

/** The type a loaded profile constrains, or undefined when it is not loaded. */
function constrainedType(definitions: ResourceIndex, profile: string): string | undefined {
  const sd = definitions.resolveOfType<{ type?: unknown }>(profile, 'StructureDefinition');
  return typeof sd?.type === 'string' ? sd.type : undefined;
}

function isResourceType(definitions: ResourceIndex, type: string): boolean {
  const sd = definitions.resolveOfType<{ kind?: unknown }>(`http://hl7.org/fhir/StructureDefinition/${type}`, 'StructureDefinition');
  return sd?.kind === 'resource';
}
