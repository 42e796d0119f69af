import { RE2JS } from 're2js';
import type { CodeSystemConcept, CodeSystemResource, ValueSetFilter } from './fhir-types.js';

export interface ConceptInfo {
  code: string;
  display?: string;
  definition?: string;
  /** Property values by property code (codes, strings, booleans as text). */
  properties: Map<string, string[]>;
  parents: Set<string>;
  children: Set<string>;
}

/**
 * A local CodeSystem indexed for lookups: code → concept, with its hierarchy from nested concepts
 * and from `parent` / `subsumedBy` properties.
 */
export class CodeSystemView {
  readonly concepts = new Map<string, ConceptInfo>();
  /** Lower-case code → actual code, for case-insensitive systems. */
  private readonly folded = new Map<string, string>();

  constructor(readonly resource: CodeSystemResource) {
    // iterative: a hierarchy nested 50,000 deep overflowed the stack when read recursively
    const pending: Array<{ list: CodeSystemConcept[] | undefined; parent?: string }> = [{ list: resource.concept }];
    while (pending.length) {
      const { list, parent } = pending.pop()!;
      for (const c of list ?? []) {
        const info = this.ensure(c.code);
        info.display ??= c.display;
        info.definition ??= c.definition;
        for (const p of c.property ?? []) {
          const value =
            p.valueCode ??
            p.valueString ??
            p.valueCoding?.code ??
            (p.valueBoolean !== undefined ? String(p.valueBoolean) : p.valueInteger !== undefined ? String(p.valueInteger) : undefined);
          if (value === undefined) continue;
          const values = info.properties.get(p.code) ?? [];
          values.push(value);
          info.properties.set(p.code, values);
          if (p.code === 'parent' || p.code === 'subsumedBy') this.link(value, c.code);
          if (p.code === 'child') this.link(c.code, value);
        }
        if (parent) this.link(parent, c.code);
        if (c.concept) pending.push({ list: c.concept, parent: c.code });
      }
    }
    if (resource.caseSensitive === false) for (const code of this.concepts.keys()) this.folded.set(code.toLowerCase(), code);
  }

  get url(): string | undefined {
    return this.resource.url;
  }

  /** Whether the resource lists every code of the system (content = complete). */
  get isComplete(): boolean {
    return (this.resource.content ?? 'complete') === 'complete';
  }

  private ensure(code: string): ConceptInfo {
    let info = this.concepts.get(code);
    if (!info) {
      info = { code, properties: new Map(), parents: new Set(), children: new Set() };
      this.concepts.set(code, info);
    }
    return info;
  }

  private link(parent: string, child: string): void {
    this.ensure(parent).children.add(child);
    this.ensure(child).parents.add(parent);
  }

  /** The concept for a code, honouring `caseSensitive: false`. */
  get(code: string): ConceptInfo | undefined {
    return this.concepts.get(code) ?? this.concepts.get(this.folded.get(code.toLowerCase()) ?? '');
  }

  /** Retired concepts (status retired/inactive, or inactive = true) are not for current use. */
  isInactive(code: string): boolean {
    const info = this.get(code);
    if (!info) return false;
    const status = info.properties.get('status') ?? [];
    return status.includes('retired') || status.includes('inactive') || (info.properties.get('inactive') ?? []).includes('true');
  }

  descendants(code: string): Set<string> {
    return this.closure(code, 'children');
  }

  ancestors(code: string): Set<string> {
    return this.closure(code, 'parents');
  }

  /** Every code reachable from `code` along one direction of the hierarchy (itself excluded). */
  private closure(code: string, direction: 'children' | 'parents'): Set<string> {
    const out = new Set<string>();
    const stack = [...(this.get(code)?.[direction] ?? [])];
    while (stack.length) {
      const next = stack.pop()!;
      if (out.has(next)) continue;
      out.add(next);
      // one by one: spreading a set of 100,000 codes into push() overflows the call stack
      for (const further of this.concepts.get(next)?.[direction] ?? []) if (!out.has(further)) stack.push(further);
    }
    return out;
  }

  /**
   * Codes matching one filter, or an error text for an operator this engine does not evaluate.
   * Filters of an include are combined by the caller (intersection).
   */
  filter(f: ValueSetFilter): Set<string> | string {
    const all = [...this.concepts.keys()];
    const onConcept = f.property === 'concept' || f.property === 'code';
    switch (f.op) {
      case 'is-a':
        return this.get(f.value) ? new Set([this.get(f.value)!.code, ...this.descendants(f.value)]) : new Set();
      case 'descendent-of':
        return this.descendants(f.value);
      case 'is-not-a': {
        const excluded = new Set([f.value, ...this.descendants(f.value)]);
        return new Set(all.filter((c) => !excluded.has(c)));
      }
      case 'generalizes':
        return this.get(f.value) ? new Set([this.get(f.value)!.code, ...this.ancestors(f.value)]) : new Set();
      case 'in': {
        const wanted = new Set(f.value.split(',').map((v) => v.trim()));
        return new Set(all.filter((c) => (onConcept ? wanted.has(c) : this.values(c, f.property).some((v) => wanted.has(v)))));
      }
      case 'not-in': {
        const unwanted = new Set(f.value.split(',').map((v) => v.trim()));
        return new Set(all.filter((c) => (onConcept ? !unwanted.has(c) : !this.values(c, f.property).some((v) => unwanted.has(v)))));
      }
      case '=':
        return new Set(all.filter((c) => (onConcept ? c === f.value : this.values(c, f.property).includes(f.value))));
      case 'regex': {
        // RE2 semantics, linear in the text: a backtracking engine takes minutes on `(a+)+` and a long code
        let re: RE2JS;
        try {
          re = RE2JS.compile(f.value);
        } catch (e) {
          return `regular expression ${f.value} is not supported (RE2 syntax: no backreferences or lookaround): ${(e as Error).message}`;
        }
        const matches = (v: string) => re.matches(v);
        return new Set(all.filter((c) => (onConcept ? matches(c) : this.values(c, f.property).some(matches))));
      }
      case 'exists': {
        const want = f.value !== 'false';
        return new Set(all.filter((c) => this.values(c, f.property).length > 0 === want));
      }
      default:
        return `filter operator "${f.op}" is not supported`;
    }
  }

  private values(code: string, property: string): string[] {
    const info = this.concepts.get(code);
    if (!info) return [];
    if (property === 'display') return info.display ? [info.display] : [];
    if (property === 'parent') return [...info.parents];
    if (property === 'child') return [...info.children];
    return info.properties.get(property) ?? [];
  }
}
