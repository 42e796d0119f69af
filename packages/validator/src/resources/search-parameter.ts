/**
 * SearchParameter, beyond its invariants (as the Java validator checks): its FHIRPath expression
 * parses, and a parameter derived from another keeps the parent's type, stays on the parent's
 * bases and selects what the parent selects.
 */
import fhirpath from 'fhirpath';
import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import { isObject, type Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import type { ResourceRule } from './resource-rule.js';

export const searchParameterRule: ResourceRule = {
  check(ctx, sp, location, definitions) {
    const expression = typeof sp.expression === 'string' ? sp.expression : undefined;
    if (expression) {
      try {
        fhirpath.parse(expression);
      } catch (e) {
        ctx.report('search-expression-invalid', `${location}.expression`, firstLine(e));
      }
    }
    if (typeof sp.derivedFrom !== 'string') return;
    const parent = findSearchParameter(ctx, definitions, sp.derivedFrom);
    if (!parent) {
      ctx.report('search-parent-not-found', `${location}.derivedFrom`, sp.derivedFrom);
      return;
    }
    const parentBases = strings(parent.base);
    // a parameter defined on Resource or DomainResource applies to every resource type
    const anyBase = parentBases.includes('Resource') || parentBases.includes('DomainResource');
    strings(sp.base).forEach((base, i) => {
      if (!anyBase && !parentBases.includes(base)) ctx.report('search-base-not-in-parent', `${location}.base[${i}]`, base, parentBases.join(', '));
    });
    if (typeof sp.type === 'string' && typeof parent.type === 'string' && sp.type !== parent.type)
      ctx.report('search-type-differs', `${location}.type`, sp.type, parent.type);
    if (expression && typeof parent.expression === 'string' && expression !== parent.expression) {
      const bases = strings(sp.base);
      if (canonicalExpression(expression, bases) !== canonicalExpression(parent.expression, bases))
        ctx.report('search-expression-differs', `${location}.expression`, parent.expression);
    }
  },
};

/** A SearchParameter by canonical: the loaded definitions, else an entry of the enclosing Bundle. */
export function findSearchParameter(ctx: ValidationContext, definitions: ResourceIndex, url: string): Json | undefined {
  const canonical = url.split('|')[0]!;
  const loaded = definitions.resolveOfType<Json>(canonical, 'SearchParameter');
  if (loaded) return loaded;
  for (const target of ctx.bundleTargets?.resources() ?? [])
    if (isObject(target) && target.resourceType === 'SearchParameter' && target.url === canonical) return target;
  return undefined;
}

/** The parts of a `|` union that apply to the given bases, trimmed and sorted: two spellings compare equal. */
function canonicalExpression(expression: string, bases: string[]): string {
  const parts = expression.split('|').map((p) => p.trim().replace(/^\((.*)\)$/, '$1'));
  const relevant = parts.filter((p) => bases.length === 0 || bases.some((b) => p === b || p.startsWith(`${b}.`)));
  return (relevant.length ? relevant : parts).sort().join(' | ');
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const firstLine = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 200);
