/** CapabilityStatement, beyond its invariants: a search parameter it declares has the type of its definition. */
import { isObject } from '@mes-fhir/core';
import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import type { ValidationContext } from '../context.js';
import type { ResourceRule } from './resource-rule.js';
import { findSearchParameter } from './search-parameter.js';

export const capabilityStatementRule: ResourceRule = {
  check(ctx, cs, location, definitions) {
    (Array.isArray(cs.rest) ? cs.rest : []).forEach((rest, r) => {
      if (!isObject(rest)) return;
      checkSearchParams(ctx, definitions, rest.searchParam, `${location}.rest[${r}]`);
      (Array.isArray(rest.resource) ? rest.resource : []).forEach((resource, k) => {
        if (isObject(resource)) checkSearchParams(ctx, definitions, resource.searchParam, `${location}.rest[${r}].resource[${k}]`);
      });
    });
  },
};

function checkSearchParams(ctx: ValidationContext, definitions: ResourceIndex, params: unknown, at: string): void {
  if (!Array.isArray(params)) return;
  params.forEach((param, i) => {
    if (!isObject(param) || typeof param.definition !== 'string' || typeof param.type !== 'string') return;
    const definition = findSearchParameter(ctx, definitions, param.definition);
    if (definition && typeof definition.type === 'string' && definition.type !== param.type) {
      ctx.report('capability-search-type', `${at}.searchParam[${i}].type`, param.definition, definition.type, param.type);
    }
  });
}
