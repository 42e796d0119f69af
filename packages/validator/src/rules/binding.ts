/**
 * Bindings: a code, Coding, CodeableConcept or Quantity bound to a value set, judged by strength as
 * the HL7 validator does: required, an error; extensible, a warning, unless every coding is of a
 * system the value set does not list (extending the binding is what extensible allows); preferred,
 * information. A code that cannot be checked offline: a warning saying so (nothing for preferred).
 * Example bindings are not checked.
 */
import { isObject, stringOf } from '@mes-fhir/core';
import type { ElementNode } from '@mes-fhir/profile-model';
import type { CodeValidation, Terminology } from '@mes-fhir/terminology';
import type { ValidationContext } from '../context.js';
import type { ValueCheck } from '../plans/value-plan.js';

/**
 * Codes an element's R4 definition allows besides its bound value set, by base path: R4 binds
 * CapabilityStatement.format to the media types and says there that "xml", "json" and "ttl" (the
 * FHIR encodings) are allowed too.
 */
const BESIDE_BINDING: Record<string, readonly string[]> = { 'CapabilityStatement.format': ['xml', 'json', 'ttl'] };

/** The codes an element (or its base) allows besides its binding, if any. */
export function codesBesideBinding(node: ElementNode): readonly string[] | undefined {
  return BESIDE_BINDING[node.def.base?.path ?? node.path];
}

/** The binding strengths this rule judges. */
export type CheckedStrength = 'required' | 'extensible' | 'preferred';

export class BindingRule {
  /** value set → system → code → display → result; `size` counts the results of one value set. */
  private readonly results = new Map<string, { size: number; bySystem: Map<string, Map<string, Map<string, CodeValidation>>> }>();

  constructor(private readonly terminology: Terminology) {}

  /** The check of one binding of an element of one type, made once per element. */
  checkFor(typeCode: string, strength: CheckedStrength, valueSet: string, alsoAllowed?: readonly string[]): ValueCheck {
    if (!alsoAllowed) return (ctx, value, location) => this.check(ctx, value, typeCode, strength, valueSet, location);
    return (ctx, value, location) => {
      if (typeof value === 'string' && alsoAllowed.includes(value)) return;
      this.check(ctx, value, typeCode, strength, valueSet, location);
    };
  }

  check(ctx: ValidationContext, value: unknown, typeCode: string, strength: CheckedStrength, valueSet: string, location: string): void {
    const codings: Array<{ system?: string; code: string; display?: string }> = [];
    if (typeCode === 'code' || typeCode === 'string' || typeCode === 'uri') {
      if (typeof value === 'string') codings.push({ code: value });
    } else if (typeCode === 'Coding' && isObject(value)) {
      if (typeof value.code === 'string') codings.push({ system: stringOf(value.system), code: value.code, display: stringOf(value.display) });
    } else if (typeCode === 'CodeableConcept' && isObject(value)) {
      for (const c of Array.isArray(value.coding) ? value.coding : []) {
        if (isObject(c) && typeof c.code === 'string') codings.push({ system: stringOf(c.system), code: c.code, display: stringOf(c.display) });
      }
      if (codings.length === 0) {
        if (strength === 'required') ctx.report('code-missing', location, valueSet);
        return;
      }
    } else if (typeCode === 'Quantity' && isObject(value)) {
      if (typeof value.code === 'string') codings.push({ system: stringOf(value.system), code: value.code });
    } else return;
    if (codings.length === 0) return;
    const results = codings.map((c) => ({ c, r: this.validateCode(c.system, c.code, valueSet, c.display) }));
    const valid = results.find((x) => x.r.result === 'valid');
    if (valid) {
      if (valid.r.displayMismatch) ctx.report('code-display-mismatch', location, valid.r.message);
      return;
    }
    const unknown = results.find((x) => x.r.result === 'unknown');
    if (unknown) {
      if (strength !== 'preferred') ctx.report('code-not-checkable', location, unknown.r.message);
      return;
    }
    if (strength === 'extensible' && codings.every((c) => c.system !== undefined && !this.terminology.listsSystem(valueSet, c.system))) return;
    const first = results[0]!;
    const label = first.c.system ? `${first.c.system}#${first.c.code}` : `"${first.c.code}"`;
    ctx.report(`code-not-in-${strength}-value-set`, location, label, valueSet);
  }

  private validateCode(system: string | undefined, code: string, valueSet: string, display?: string): CodeValidation {
    // nested maps rather than one joined key: the resource's own strings are looked up, none is built
    let inValueSet = this.results.get(valueSet);
    if (!inValueSet) this.results.set(valueSet, (inValueSet = { size: 0, bySystem: new Map() }));
    let byCode = inValueSet.bySystem.get(system ?? '');
    if (!byCode) inValueSet.bySystem.set(system ?? '', (byCode = new Map()));
    let byDisplay = byCode.get(code);
    if (!byDisplay) byCode.set(code, (byDisplay = new Map()));
    let result = byDisplay.get(display ?? '');
    if (!result) {
      result = this.terminology.validateCode({ system, code, valueSet, display });
      // bounded: a server validating free-text displays for months must not grow without end
      if (inValueSet.size >= 10_000) {
        inValueSet.bySystem.clear();
        inValueSet.size = 0;
        inValueSet.bySystem.set(system ?? '', (byCode = new Map()));
        byCode.set(code, (byDisplay = new Map()));
      }
      inValueSet.size++;
      byDisplay.set(display ?? '', result);
    }
    return result;
  }
}
