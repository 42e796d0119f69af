import fhirpath from 'fhirpath';
import type { IssueCode, IssueSeverity } from './outcome.js';
import { isObject } from './patterns.js';

type Report = (severity: IssueSeverity, code: IssueCode, location: string, message: string) => void;
/** A SearchParameter by canonical (loaded definitions, then the enclosing Bundle). */
type FindSearchParameter = (url: string) => Record<string, unknown> | undefined;

/**
 * The internal rules of a SearchParameter that the Java validator checks beyond its invariants:
 * its FHIRPath expression parses, and a parameter derived from another keeps the parent's type,
 * stays on the parent's bases and selects what the parent selects.
 */
export function checkSearchParameter(sp: Record<string, unknown>, location: string, find: FindSearchParameter, report: Report): void {
  const expression = typeof sp.expression === 'string' ? sp.expression : undefined;
  if (expression) {
    try {
      fhirpath.parse(expression);
    } catch (e) {
      report('error', 'invalid', `${location}.expression`, `the expression is not valid FHIRPath: ${firstLine(e)}`);
    }
  }
  if (typeof sp.derivedFrom !== 'string') return;
  const parent = find(sp.derivedFrom);
  if (!parent) {
    report('warning', 'not-found', `${location}.derivedFrom`, `the search parameter ${sp.derivedFrom} it derives from cannot be found, so the derivation is not checked`);
    return;
  }
  const parentBases = strings(parent.base);
  // a parameter defined on Resource or DomainResource applies to every resource type
  const anyBase = parentBases.includes('Resource') || parentBases.includes('DomainResource');
  strings(sp.base).forEach((base, i) => {
    if (!anyBase && !parentBases.includes(base)) report('error', 'invalid', `${location}.base[${i}]`, `base ${base} is not a base of the parameter it derives from (${parentBases.join(', ')})`);
  });
  if (typeof sp.type === 'string' && typeof parent.type === 'string' && sp.type !== parent.type) {
    report('error', 'invalid', `${location}.type`, `type ${sp.type} differs from the type of the parameter it derives from (${parent.type})`);
  }
  if (expression && typeof parent.expression === 'string' && expression !== parent.expression) {
    const bases = strings(sp.base);
    if (canonicalExpression(expression, bases) !== canonicalExpression(parent.expression, bases)) {
      report('warning', 'invalid', `${location}.expression`, `the expression differs from the one of the parameter it derives from (${parent.expression})`);
    }
  }
}

/** A search parameter a CapabilityStatement declares has the type of its definition. */
export function checkCapabilityStatement(cs: Record<string, unknown>, location: string, find: FindSearchParameter, report: Report): void {
  const check = (params: unknown, at: string) => {
    if (!Array.isArray(params)) return;
    params.forEach((param, i) => {
      if (!isObject(param) || typeof param.definition !== 'string' || typeof param.type !== 'string') return;
      const definition = find(param.definition);
      if (definition && typeof definition.type === 'string' && definition.type !== param.type) {
        report('error', 'invalid', `${at}.searchParam[${i}].type`, `search parameter ${param.definition} has type ${definition.type}, not ${param.type}`);
      }
    });
  };
  (Array.isArray(cs.rest) ? cs.rest : []).forEach((rest, r) => {
    if (!isObject(rest)) return;
    check(rest.searchParam, `${location}.rest[${r}]`);
    (Array.isArray(rest.resource) ? rest.resource : []).forEach((resource, k) => {
      if (isObject(resource)) check(resource.searchParam, `${location}.rest[${r}].resource[${k}]`);
    });
  });
}

/** The parts of a `|` union that apply to the given bases, trimmed and sorted: two spellings compare equal. */
function canonicalExpression(expression: string, bases: string[]): string {
  const parts = expression.split('|').map((p) => p.trim().replace(/^\((.*)\)$/, '$1'));
  const relevant = parts.filter((p) => bases.length === 0 || bases.some((b) => p === b || p.startsWith(`${b}.`)));
  return (relevant.length ? relevant : parts).sort().join(' | ');
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200);
