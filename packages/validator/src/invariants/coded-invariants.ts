import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { isObject } from '@mes-fhir/core';
import { childOf } from './r4-model.js';

/**
 * Hand-written verdicts for the R4 invariants that every MES resource meets on every validation:
 * the DomainResource rules (dom-2…dom-6), those of the Observation and vital-signs profiles that
 * all eleven measures inherit (obs-6, obs-7, vs-1, vs-2), qty-3 on each Quantity, and our own two
 * rules on every MES resource (mes-source-oid, mes-subject-oid, fsh/input/fsh/common/invariants.fsh).
 *
 * Each decides only the shapes that apps actually send (no contained resources, no components, a
 * plain value; dom-3 on any contained resources, as its FHIRPath is cubic in their number) and
 * answers `undefined` on anything else, which then goes to the closure compiled
 * from the FHIRPath and, failing that, to the fhirpath library. A coded verdict is used only where the
 * constraint's key and expression are exactly the ones below, so a profile that rewrites a rule
 * keeps its own expression. coded-invariants.test.ts checks each one against the fhirpath
 * library on generated resources.
 */
export type CodedVerdict = (value: unknown, type: string | undefined) => boolean | undefined;

/** Neither the key nor its `_` companion: FHIRPath sees nothing there. */
const absent = (o: Record<string, unknown>, key: string, companion: string) => o[key] === undefined && o[companion] === undefined;

/** An array of objects that each lack `key` and its companion (the common contained resources); false when unsure. */
const itemsLack = (list: unknown, key: string, companion: string) =>
  Array.isArray(list) && list.every((item) => isObject(item) && absent(item, key, companion));

/** A non-empty array of objects: a collection FHIRPath sees as non-empty. */
const someObjects = (list: unknown) => Array.isArray(list) && list.length > 0 && list.every(isObject);

/** An object with at least one own name (read without making the list of its names). */
function hasContent(v: Record<string, unknown>): boolean {
  for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key)) return true;
  return false;
}

/** A value FHIRPath surely sees as present: a non-empty string, a finite number, a boolean, an object with content. */
const surelyPresent = (v: unknown) =>
  (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || (isObject(v) && hasContent(v));

// named reads (not by a key variable) for the names every resource is asked about: V8 caches them per object shape
const noContained = (r: Record<string, unknown>) => r.contained === undefined && r._contained === undefined;
const noComponent = (r: Record<string, unknown>) => r.component === undefined && r._component === undefined;
const noHasMember = (r: Record<string, unknown>) => r.hasMember === undefined && r._hasMember === undefined;
const noDataAbsentReason = (r: Record<string, unknown>) => r.dataAbsentReason === undefined && r._dataAbsentReason === undefined;

/** Observation's value[x] names (`valueQuantity`, `_valueString`…), read from the R4 model on first use. */
let observationValues: Map<string, { key: string }> | undefined;

/** Whether an Observation has a value[x]: true, false, or undefined (a `_value…` companion, an odd value). */
function observationValueExists(r: Record<string, unknown>): boolean | undefined {
  const byKey = (observationValues ??= childOf('Observation', 'value').byKey!);
  let exists = false;
  for (const key in r) {
    // value[x] names and their companions start with `v` or `_`: others are not looked up
    const first = key.charCodeAt(0);
    if (first !== 118 /* v */ && first !== 95 /* _ */) continue;
    if (!Object.prototype.hasOwnProperty.call(r, key)) continue;
    const choice = byKey.get(key);
    if (!choice) continue;
    if (key !== choice.key || !surelyPresent(r[key])) return undefined;
    exists = true;
  }
  return exists;
}

const onResource =
  (decide: (r: Record<string, unknown>) => boolean | undefined): CodedVerdict =>
  (value) =>
    isObject(value) ? decide(value) : undefined;

export const CODED_INVARIANTS: Record<string, { expression: string; decide: CodedVerdict }> = {
  'dom-2': {
    expression: 'contained.contained.empty()',
    decide: onResource((r) => (noContained(r) || itemsLack(r.contained, 'contained', '_contained') ? true : undefined)),
  },
  'dom-3': {
    expression:
      "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()",
    decide: onResource((r) => (noContained(r) ? true : containedAreReferenced(r))),
  },
  'dom-4': {
    expression: 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
    decide: onResource((r) => (noContained(r) || itemsLack(r.contained, 'meta', '_meta') ? true : undefined)),
  },
  'dom-5': {
    expression: 'contained.meta.security.empty()',
    decide: onResource((r) => (noContained(r) || itemsLack(r.contained, 'meta', '_meta') ? true : undefined)),
  },
  'dom-6': {
    expression: 'text.`div`.exists()',
    decide: onResource((r) => {
      if (r.text === undefined && r._text === undefined) return false;
      const text = r.text;
      if (!isObject(text)) return undefined;
      if (typeof text.div === 'string' && text.div.length > 0) return true;
      return absent(text, 'div', '_div') ? false : undefined;
    }),
  },
  'obs-6': {
    expression: 'dataAbsentReason.empty() or value.empty()',
    decide: onResource((r) => {
      if (noDataAbsentReason(r)) return true;
      return observationValueExists(r) === false ? true : undefined;
    }),
  },
  'obs-7': {
    expression: 'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
    decide: onResource((r) => (noComponent(r) ? true : undefined)),
  },
  'vs-1': {
    expression: '$this is dateTime implies $this.toString().length() >= 10',
    decide: (value, type) => {
      if (type === 'Period') return true;
      if (type !== 'dateTime' || typeof value !== 'string') return undefined;
      // ten characters or more hold whether or not the library reads the string as a dateTime (when it does not, the rule does not apply)
      if (value.length >= 10) return true;
      return DATE_TIME.test(value) ? false : undefined;
    },
  },
  'vs-2': {
    expression: '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())',
    decide: onResource((r) => {
      if (someObjects(r.component) || someObjects(r.hasMember)) return true;
      if (!noComponent(r) || !noHasMember(r)) return undefined;
      const value = observationValueExists(r);
      if (value) return true;
      if (!noDataAbsentReason(r)) return surelyPresent(r.dataAbsentReason) ? true : undefined;
      return value === false ? false : undefined;
    }),
  },
  'mes-source-oid': {
    expression: "meta.source.empty() or meta.source.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')",
    decide: onResource(metaSourceIsOid),
  },
  'mes-subject-oid': {
    expression: "subject.identifier.system.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')",
    decide: onResource(subjectSystemIsOid),
  },
  'qty-3': {
    expression: 'code.empty() or system.exists()',
    decide: (q) => {
      if (!isObject(q)) return undefined;
      if (absent(q, 'code', '_code')) return true;
      if (typeof q.system === 'string' && q.system.length > 0) return true;
      return absent(q, 'system', '_system') && typeof q.code === 'string' && q.code.length > 0 ? false : undefined;
    },
  },
};

/** The regular expression of both MES rules: an OID as a URN. */
const OID_URN = /^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$/;

/**
 * The verdicts of the regex on the strings met, per rule: an app's OIDs (its sources, its patients'
 * system) are a handful that repeat from one resource to the next. Bounded against inputs that
 * bring a new string each time.
 */
class OidVerdicts {
  private readonly verdicts = new Map<string, boolean>();
  isOidUrn(value: string): boolean {
    let ok = this.verdicts.get(value);
    if (ok === undefined) {
      ok = OID_URN.test(value);
      if (this.verdicts.size >= 256) this.verdicts.clear();
      this.verdicts.set(value, ok);
    }
    return ok;
  }
}
const sourceVerdicts = new OidVerdicts();
const subjectSystemVerdicts = new OidVerdicts();

/**
 * Both MES rules read a path of single values, each name with its `_` companion: where a step is
 * missing (and its companion too), the rule's verdict for an absent value; the regex on the
 * string at its end; undefined on anything else (an array, a companion, an empty string). Named
 * reads: V8 caches them per object shape.
 */
const absentOr = (value: unknown, companion: unknown, whenAbsent: boolean) => (value === undefined && companion === undefined ? whenAbsent : undefined);

function oidVerdict(value: unknown, companion: unknown, whenAbsent: boolean, verdicts: OidVerdicts): boolean | undefined {
  if (value === undefined || companion !== undefined) return absentOr(value, companion, whenAbsent);
  return typeof value === 'string' && value.length > 0 ? verdicts.isOidUrn(value) : undefined;
}

function metaSourceIsOid(r: Record<string, unknown>): boolean | undefined {
  const meta = r.meta;
  if (!isObject(meta)) return absentOr(meta, r._meta, true);
  return oidVerdict(meta.source, meta._source, true, sourceVerdicts);
}

function subjectSystemIsOid(r: Record<string, unknown>): boolean | undefined {
  const subject = r.subject;
  if (!isObject(subject)) return absentOr(subject, r._subject, false);
  const identifier = subject.identifier;
  if (!isObject(identifier)) return absentOr(identifier, subject._identifier, false);
  return oidVerdict(identifier.system, identifier._system, false, subjectSystemVerdicts);
}

/** Each string a JSON value holds, with the name of the key it sits at (arrays: their key), read iteratively. */
function eachString(value: unknown, visit: (key: string, text: string) => void): void {
  const stack: Array<{ key: string; value: unknown }> = [{ key: '', value }];
  while (stack.length) {
    const { key, value: v } = stack.pop()!;
    if (typeof v === 'string') visit(key, v);
    else if (Array.isArray(v)) for (const item of v) stack.push({ key, value: item });
    else if (isObject(v)) for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) stack.push({ key: k, value: v[k] });
  }
}

// ofType, not dom-3's as(): the library refuses as() on a collection of several items, and would throw
const URI_VALUES = 'descendants().ofType(canonical) | descendants().ofType(uri) | descendants().ofType(url)';
const typedUris = (resource: unknown) =>
  new Set((fhirpath.evaluate(resource as object, URI_VALUES, {}, r4Model, { resolveInternalTypes: true }) as unknown[]).filter((v) => typeof v === 'string'));

/**
 * dom-3 in one pass: each contained resource is named by a `reference` (or a uri, url or canonical)
 * somewhere in the resource, as `#id`, or refers to its container (`#`). The FHIRPath reads every
 * descendant again for each contained resource; the typed values (uri, url, canonical) are asked of
 * the fhirpath library once, and only when a string elsewhere than in a `reference` starts with `#`.
 * Undefined when a contained resource has no id or is not an object (the library decides).
 * R4 writes `%resource.descendants().as(uri)`, which the fhirpath library refuses to evaluate on
 * more than one descendant (as() takes one item): this reads it as the HL7 validator does, as
 * ofType(uri), and so decides where the library would only throw.
 */
function containedAreReferenced(r: Record<string, unknown>): boolean | undefined {
  if (!Array.isArray(r.contained)) return undefined;
  const references = new Set<string>();
  let otherLocal = false;
  eachString(r, (key, text) => {
    if (key === 'reference') references.add(text);
    else if (text.charCodeAt(0) === 35 /* # */) otherLocal = true;
  });
  let uris: Set<unknown> | undefined;
  for (const c of r.contained) {
    if (!isObject(c) || typeof c.id !== 'string') return undefined;
    const local = `#${c.id}`;
    if (references.has(local)) continue;
    let toContainer = false;
    let canonicalHash = false;
    eachString(c, (key, text) => {
      if (text === '#') key === 'reference' ? (toContainer = true) : (canonicalHash = true);
    });
    if (toContainer) continue;
    if (!otherLocal) return false;
    uris ??= typedUris(r);
    if (uris.has(local)) continue;
    if (canonicalHash && typedUris(c).has('#')) continue;
    return false;
  }
  return true;
}

/** A dateTime as R4 writes it (the regex of its definition): the only strings vs-1 is decided on here. */
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;

/** The coded verdict of a constraint, when its key and expression are exactly those above. */
export function codedInvariant(constraint: { key: string; expression?: string }): CodedVerdict | undefined {
  const coded = CODED_INVARIANTS[constraint.key];
  return coded && coded.expression === constraint.expression ? coded.decide : undefined;
}
