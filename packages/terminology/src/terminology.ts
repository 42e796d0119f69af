import { loadProjectIndex, type ProjectIndexOptions, type ResourceIndex } from '@mes-fhir/fhir-packages';
import { CodeSystemView } from './code-system.js';
import type { CodeSystemResource, ExpansionContains, ValueSetInclude, ValueSetResource } from './fhir-types.js';
import { SystemIdentity } from './system-identity.js';
import { MIME_TYPES_SYSTEM, validateMimeType } from './mime-types.js';
import { UCUM_SYSTEM, validateUcum } from './ucum.js';

export interface Concept {
  system: string;
  code: string;
  display?: string;
  version?: string;
  /** Retired in its code system (listed only when the value set admits inactive codes). */
  inactive?: boolean;
}

/** Why a value set cannot be enumerated offline. */
export type ExpansionFailure = 'not-found' | 'external-system' | 'incomplete-code-system' | 'unsupported-filter' | 'cycle' | 'too-large' | 'too-deep';

/** Value sets that import value sets that import… deeper than this are not expanded (hostile packages). */
export const MAX_IMPORT_DEPTH = 50;

export type Expansion =
  | { ok: true; url: string; concepts: Concept[]; contains(system: string, code: string): Concept | undefined }
  | {
      ok: false;
      url: string;
      reason: ExpansionFailure;
      message: string;
      /** The value set or code system the failure is about (a missing import, the external system…). */
      about: string;
    };

export interface CodeValidation {
  /** `unknown`: the code cannot be checked offline (external or incomplete code system). */
  result: 'valid' | 'invalid' | 'unknown';
  message: string;
  /** The display the code system gives the code, when known. */
  display?: string;
  /** Set when a display was given and differs from the code system's (a warning, not an error). */
  displayMismatch?: boolean;
  /** Set when the code is valid but retired in its code system (NOS `dateFin`, FHIR `inactive`). */
  inactive?: boolean;
}

export interface ValidateCodeParams {
  system?: string;
  code: string;
  display?: string;
  version?: string;
  /** Validate membership in this value set (canonical, optionally `|version`); otherwise in the code system. */
  valueSet?: string;
}

export interface TerminologyOptions {
  /** Expansions larger than this report `too-large` (membership checks still work). */
  maxExpansionSize?: number;
}

class ExpansionError extends Error {
  constructor(
    readonly reason: ExpansionFailure,
    message: string,
    readonly about: string,
  ) {
    super(message);
  }
}

type Membership = true | false | { unknown: string };

/** What one expansion of a value set gave, kept for the value sets that import it. */
type ExpandedSet = Map<string, Concept> | ExpansionError;

const key = (system: string, code: string) => `${system}|${code}`;

/**
 * Offline terminology over a loaded package set: `$expand`, `$validate-code`, `$lookup`, and UCUM.
 * Expansions are computed once per value set, imported ones included (value sets that import each
 * other in a diamond cost their number, not the number of paths); validating a code against an
 * expanded set is a hash lookup. The caches hold loaded resources only: a url that resolves to
 * nothing is looked up again, never remembered, so distinct urls from the input cannot grow them. Value sets that cannot be enumerated (all of LOINC, say) are still answered code by
 * code, with "unknown" where the answer needs a code system that is not loaded.
 */
export class Terminology {
  private readonly codeSystems = new Map<string, CodeSystemView>();
  private readonly expansions = new Map<string, Expansion>();
  private readonly expandedSets = new Map<string, ExpandedSet>();
  private readonly maxExpansionSize: number;
  /** Which systems name one code system (a NOS canonical and its `urn:oid:`). */
  readonly systems: SystemIdentity;

  constructor(
    readonly index: ResourceIndex,
    options: TerminologyOptions = {},
  ) {
    this.maxExpansionSize = options.maxExpansionSize ?? 10_000;
    this.systems = new SystemIdentity(index);
  }

  /** Loads the definitions and their packages, from the same sources as `Validator.load` (see `loadProjectIndex`). */
  static async load(options: ProjectIndexOptions & TerminologyOptions = {}): Promise<Terminology> {
    const { index } = await loadProjectIndex(options);
    return new Terminology(index, options);
  }

  /** The loaded CodeSystem for a url, or undefined. */
  codeSystem(url: string): CodeSystemView | undefined {
    let view = this.codeSystems.get(url);
    if (view === undefined) {
      const resource = this.index.resolveOfType<CodeSystemResource>(url, 'CodeSystem');
      if (!resource || resource.content === 'supplement') return undefined;
      view = new CodeSystemView(resource);
      this.codeSystems.set(url, view);
    }
    return view;
  }

  /** The loaded CodeSystem a system names: its canonical, or for `urn:oid:<OID>` a canonical with that OID. */
  codeSystemFor(system: string): CodeSystemView | undefined {
    const direct = this.codeSystem(system);
    if (direct || !system.startsWith('urn:oid:')) return direct;
    for (const uri of this.systems.urisOf(system.slice('urn:oid:'.length))) {
      const view = this.codeSystem(uri);
      if (view) return view;
    }
    return undefined;
  }

  valueSet(url: string): ValueSetResource | undefined {
    return this.index.resolveOfType<ValueSetResource>(url, 'ValueSet');
  }

  /** Canonical urls of every loaded ValueSet, in layer order. */
  valueSetUrls(): string[] {
    return [...new Set(this.index.list('ValueSet').flatMap((e) => (e.url ? [e.url] : [])))];
  }

  /** `$expand`: every concept of the value set, or why it cannot be enumerated offline. */
  expand(url: string): Expansion {
    const cached = this.expansions.get(url);
    if (cached) return cached;
    let expansion: Expansion;
    try {
      const concepts = this.expandToMap(url, []);
      const list = [...concepts.values()];
      const systems = [...new Set(list.map((c) => c.system))];
      // a coding may name a listed system another way (urn:oid: or canonical): looked at only on a miss
      const alias = (system: string, code: string): Concept | undefined => {
        for (const s of systems) if (s !== system && this.systems.same(s, system)) return concepts.get(key(s, code));
        return undefined;
      };
      expansion = { ok: true, url, concepts: list, contains: (system, code) => concepts.get(key(system, code)) ?? alias(system, code) };
    } catch (e) {
      if (!(e instanceof ExpansionError)) throw e;
      expansion = { ok: false, url, reason: e.reason, message: e.message, about: e.about };
    }
    if (this.valueSet(url)) this.expansions.set(url, expansion);
    return expansion;
  }

  /** The concepts of a value set, expanded once (each import too); throws an ExpansionError. */
  private expandToMap(url: string, stack: string[]): Map<string, Concept> {
    if (stack.includes(url)) throw new ExpansionError('cycle', `value set ${url} includes itself: ${[...stack, url].join(' → ')}`, url);
    if (stack.length >= MAX_IMPORT_DEPTH)
      throw new ExpansionError('too-deep', `value set ${stack[0]} imports value sets more than ${MAX_IMPORT_DEPTH} deep`, url);
    const done = this.expandedSets.get(url);
    if (done instanceof ExpansionError) throw done;
    if (done) return done;
    try {
      const result = this.composeToMap(url, stack);
      if (this.valueSet(url)) this.expandedSets.set(url, result);
      return result;
    } catch (e) {
      // a failure that depends on the path that led here (a cycle, the depth) is not the value set's own
      if (e instanceof ExpansionError && e.reason !== 'cycle' && e.reason !== 'too-deep' && this.valueSet(url)) this.expandedSets.set(url, e);
      throw e;
    }
  }

  private composeToMap(url: string, stack: string[]): Map<string, Concept> {
    const vs = this.valueSet(url);
    if (!vs) {
      const importedBy = stack.length ? ` (imported by ${stack.at(-1)})` : '';
      throw new ExpansionError('not-found', `value set ${url}${importedBy} is not in the loaded packages`, url);
    }
    if (!vs.compose) {
      if (vs.expansion?.contains) return flattenContains(vs.expansion.contains);
      throw new ExpansionError('not-found', `value set ${url} has neither compose nor expansion`, url);
    }
    const inner = [...stack, url];
    const result = new Map<string, Concept>();
    for (const include of vs.compose.include ?? []) {
      for (const [k, c] of this.includeToMap(include, inner)) if (!(c.inactive && vs.compose.inactive === false)) result.set(k, c);
    }
    for (const exclude of vs.compose.exclude ?? []) for (const k of this.includeToMap(exclude, inner).keys()) result.delete(k);
    if (result.size > this.maxExpansionSize) {
      throw new ExpansionError('too-large', `value set ${url} has ${result.size} concepts, more than the ${this.maxExpansionSize} expanded at most`, url);
    }
    return result;
  }

  private includeToMap(include: ValueSetInclude, stack: string[]): Map<string, Concept> {
    let result: Map<string, Concept> | undefined;
    if (include.system) {
      const system = include.system;
      if (include.concept?.length) {
        const cs = this.codeSystem(system);
        result = new Map(
          include.concept.map((c) => [
            key(system, c.code),
            { system, code: c.code, display: c.display ?? cs?.get(c.code)?.display, ...(cs?.isInactive(c.code) ? { inactive: true } : {}) },
          ]),
        );
      } else {
        const cs = this.codeSystem(system);
        if (!cs) {
          throw new ExpansionError(
            'external-system',
            `code system ${system} is not loaded (external terminology such as LOINC or SNOMED CT cannot be enumerated offline)`,
            system,
          );
        }
        if (!cs.isComplete) {
          throw new ExpansionError('incomplete-code-system', `code system ${system} is loaded with content "${cs.resource.content}", not every code`, system);
        }
        let codes: Set<string> = new Set(cs.concepts.keys());
        for (const f of include.filter ?? []) {
          const matched = cs.filter(f);
          if (typeof matched === 'string') throw new ExpansionError('unsupported-filter', `${system}: ${matched}`, system);
          codes = new Set([...codes].filter((c) => matched.has(c)));
        }
        result = new Map(
          [...codes]
            .sort()
            .map((code) => [key(system, code), { system, code, display: cs.get(code)?.display, ...(cs.isInactive(code) ? { inactive: true } : {}) }]),
        );
      }
    }
    for (const imported of include.valueSet ?? []) {
      const other = this.expandToMap(imported, stack);
      result = result ? new Map([...result].filter(([k]) => other.has(k))) : new Map(other);
    }
    return result ?? new Map();
  }

  /**
   * Whether a value set draws codes from a system (its includes, those of the value sets it
   * imports): a coding of a system it does not list extends an extensible binding, as the HL7
   * validator reads one.
   */
  listsSystem(valueSet: string, system: string, depth = 0): boolean {
    const expansion = this.expand(valueSet);
    if (expansion.ok) return expansion.concepts.some((c) => this.systems.same(c.system, system));
    if (depth >= MAX_IMPORT_DEPTH) return false;
    return (this.valueSet(valueSet)?.compose?.include ?? []).some(
      (inc) => (inc.system !== undefined && this.systems.same(inc.system, system)) || (inc.valueSet ?? []).some((v) => this.listsSystem(v, system, depth + 1)),
    );
  }

  /** `$lookup` on a loaded code system. */
  lookup(system: string, code: string): { display?: string; definition?: string; properties: Record<string, string[]> } | undefined {
    const concept = this.codeSystemFor(system)?.get(code);
    if (!concept) return undefined;
    return { display: concept.display, definition: concept.definition, properties: Object.fromEntries(concept.properties) };
  }

  /** `$validate-code` against a value set (when given) or a code system. */
  validateCode(params: ValidateCodeParams): CodeValidation {
    const { system, code, valueSet } = params;
    const label = system ? `${system}#${code}` : `code "${code}"`;
    if (valueSet) {
      const expansion = this.expand(valueSet);
      let member: Membership;
      let found: Concept | undefined;
      if (expansion.ok) {
        found = system ? expansion.contains(system, code) : expansion.concepts.find((c) => c.code === code);
        member = Boolean(found);
      } else if (expansion.reason === 'not-found' || expansion.reason === 'cycle') {
        return { result: 'unknown', message: `cannot validate ${label}: ${expansion.message}` };
      } else {
        // a bare code (the `code` type) is of the one system its value set draws from, if only one
        const implied = system ?? this.onlySystemOf(valueSet);
        member = implied ? this.membership(valueSet, implied, code, [], new Map()) : { unknown: 'no system given' };
      }
      if (member === false) return { result: 'invalid', message: `${label} is not in value set ${valueSet}` };
      if (member !== true) return { result: 'unknown', message: `cannot validate ${label} against ${valueSet}: ${member.unknown}` };
      if (found?.inactive)
        return { result: 'valid', inactive: true, display: found.display, message: `${label} is in value set ${valueSet} but inactive (retired)` };
      // the display is the one of the system the value set lists (which the coding may name by its OID)
      return system
        ? this.checkDisplay(found?.system ?? system, code, params.display, `${label} is in value set ${valueSet}`)
        : { result: 'valid', message: `${label} is in value set ${valueSet}` };
    }
    if (!system) return { result: 'invalid', message: `no system given for code "${code}"` };
    if (system === MIME_TYPES_SYSTEM) {
      const check = validateMimeType(code);
      return check.valid ? { result: 'valid', message: `${code} is a valid media type` } : { result: 'invalid', message: check.message };
    }
    if (system === UCUM_SYSTEM) {
      const check = validateUcum(code);
      return check.valid
        ? { result: 'valid', message: `${code} is a valid UCUM unit (${check.name ?? code})`, display: check.name }
        : { result: 'invalid', message: check.message ?? `"${code}" is not a valid UCUM code` };
    }
    const cs = this.codeSystemFor(system);
    if (!cs) return { result: 'unknown', message: `code system ${system} is not available offline, so ${label} cannot be validated` };
    if (!cs.get(code)) {
      return cs.isComplete
        ? { result: 'invalid', message: `unknown code "${code}" in code system ${system}` }
        : { result: 'unknown', message: `code system ${system} is loaded with content "${cs.resource.content}"; "${code}" cannot be checked` };
    }
    if (cs.isInactive(code)) return { result: 'valid', inactive: true, display: cs.get(code)?.display, message: `${label} is valid but inactive (retired)` };
    return this.checkDisplay(system, code, params.display, `${label} is valid`);
  }

  /** Against the code system's display, as the HL7 validator checks it (a value set's own displays are suggestions). */
  private checkDisplay(system: string, code: string, display: string | undefined, okMessage: string): CodeValidation {
    const expected = this.codeSystemFor(system)?.get(code)?.display;
    if (display !== undefined && expected !== undefined && display.trim().toLowerCase() !== expected.trim().toLowerCase()) {
      return {
        result: 'valid',
        display: expected,
        displayMismatch: true,
        message: `wrong display "${display}" for ${system}#${code}: the code system says "${expected}"`,
      };
    }
    return { result: 'valid', message: okMessage, display: expected };
  }

  /** The system a value set draws every code from, when it names one only (and imports no value set). */
  private onlySystemOf(url: string): string | undefined {
    const includes = this.valueSet(url)?.compose?.include ?? [];
    const systems = new Set(includes.map((i) => (i.valueSet?.length ? undefined : i.system)));
    const [only] = systems;
    return systems.size === 1 ? only : undefined;
  }

  /** Membership without enumerating, for value sets too large or too open to expand; `known`: the answers of this check so far, by value set. */
  private membership(url: string, system: string, code: string, stack: string[], known: Map<string, Membership>): Membership {
    if (stack.includes(url)) return { unknown: `value set ${url} includes itself` };
    if (stack.length >= MAX_IMPORT_DEPTH) return { unknown: `value sets import each other more than ${MAX_IMPORT_DEPTH} deep` };
    const answered = known.get(url);
    if (answered !== undefined) return answered;
    const answer = this.composeMembership(url, system, code, stack, known);
    known.set(url, answer);
    return answer;
  }

  private composeMembership(url: string, system: string, code: string, stack: string[], known: Map<string, Membership>): Membership {
    const vs = this.valueSet(url);
    if (!vs) return { unknown: `value set ${url} is not in the loaded packages` };
    if (!vs.compose)
      return vs.expansion?.contains ? flattenContains(vs.expansion.contains).has(key(system, code)) : { unknown: `value set ${url} has no content` };
    const inner = [...stack, url];
    const included = anyOf((vs.compose.include ?? []).map((inc) => this.includeMembership(inc, system, code, inner, known)));
    if (included !== true) return included;
    const excluded = anyOf((vs.compose.exclude ?? []).map((exc) => this.includeMembership(exc, system, code, inner, known)));
    if (excluded === true) return false;
    return excluded === false ? true : excluded;
  }

  private includeMembership(include: ValueSetInclude, system: string, code: string, stack: string[], known: Map<string, Membership>): Membership {
    const parts: Membership[] = [];
    if (include.system) {
      if (!this.systems.same(include.system, system)) return false;
      // from here on, the system as the value set names it (the coding may give its OID)
      system = include.system;
      if (include.concept?.length) parts.push(include.concept.some((c) => c.code === code));
      else if (system === UCUM_SYSTEM && !include.filter?.length) parts.push(validateUcum(code).valid);
      else if (system === MIME_TYPES_SYSTEM && !include.filter?.length) parts.push(validateMimeType(code).valid);
      else {
        const cs = this.codeSystem(system);
        if (!cs) parts.push({ unknown: `code system ${system} is not available offline` });
        else if (!cs.get(code)) parts.push(cs.isComplete ? false : { unknown: `code system ${system} is not complete offline` });
        else {
          let inFilters: Membership = true;
          for (const f of include.filter ?? []) {
            const matched = cs.filter(f);
            if (typeof matched === 'string') inFilters = { unknown: matched };
            else if (!matched.has(cs.get(code)!.code)) {
              inFilters = false;
              break;
            }
          }
          parts.push(inFilters);
        }
      }
    }
    for (const imported of include.valueSet ?? []) {
      const expansion = this.expand(imported);
      parts.push(expansion.ok ? Boolean(expansion.contains(system, code)) : this.membership(imported, system, code, stack, known));
    }
    return allOf(parts);
  }
}

function anyOf(results: Membership[]): Membership {
  if (results.some((r) => r === true)) return true;
  return results.find((r) => r !== false) ?? false;
}

function allOf(results: Membership[]): Membership {
  if (results.some((r) => r === false)) return false;
  return results.find((r) => r !== true) ?? true;
}

/** The concepts of a stated expansion, nested ones after their parent (read iteratively: the nesting comes from the package). */
function flattenContains(contains: ExpansionContains[]): Map<string, Concept> {
  const out = new Map<string, Concept>();
  const pending: Array<{ list: ExpansionContains[]; next: number }> = [{ list: contains, next: 0 }];
  while (pending.length) {
    const top = pending[pending.length - 1]!;
    if (top.next >= top.list.length) {
      pending.pop();
      continue;
    }
    const c = top.list[top.next++]!;
    if (c.system && c.code && !c.abstract) out.set(key(c.system, c.code), { system: c.system, code: c.code, display: c.display, version: c.version });
    if (c.contains) pending.push({ list: c.contains, next: 0 });
  }
  return out;
}
