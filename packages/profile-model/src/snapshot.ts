import { idSegments, type ElementDefinitionJson, type StructureDefinitionJson } from './element-definition.js';

const FHIR_BASE = 'http://hl7.org/fhir/StructureDefinition/';

/** The snapshot elements of a canonical (a profile or a base type), generated if need be; undefined when unknown. */
export type SnapshotSource = (url: string) => ElementDefinitionJson[] | undefined;

export interface GeneratedSnapshot {
  element: ElementDefinitionJson[];
  /** Differential elements that could not be placed, with the reason (the rest of the snapshot stands). */
  issues: string[];
}

/** Properties of a differential element that add to the base's instead of replacing them. */
const APPENDED = new Set(['constraint', 'condition', 'mapping', 'alias']);
/** Properties that describe where an element sits, never copied from the differential. */
const POSITIONAL = new Set(['id', 'path', 'base', 'sliceName']);

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const clone = <T>(v: T): T => structuredClone(v);

/**
 * Generates the snapshot of a constraint StructureDefinition from its differential and its base's
 * snapshot, as the FHIR rules define it: each differential element constrains the base element of
 * the same id; slices start as a copy of the sliced element (children included) and follow the
 * existing slices; a path into a data type (`code.coding.system`) first unrolls that type's
 * elements, from its profile when the element names one; a choice constrained by type
 * (`valueQuantity`, or SUSHI's `value[x]:valueQuantity`) becomes a type slice of `value[x]`;
 * re-slices (`extension:a/b`) copy their parent slice; content references copy the referenced
 * element's children. Constraints, conditions, mappings and aliases add to the base's; other
 * properties replace them. Elements the differential does not reach keep the base's definition,
 * and data types nobody constrains stay folded (their children come from the type).
 */
export function generateSnapshot(sd: StructureDefinitionJson, source: SnapshotSource): GeneratedSnapshot {
  const issues: string[] = [];
  if (!sd.baseDefinition) return { element: [], issues: [`${sd.url} has no baseDefinition`] };
  const base = source(sd.baseDefinition);
  if (!base?.length) return { element: [], issues: [`base ${sd.baseDefinition} of ${sd.url} is not loaded or has no snapshot`] };
  const baseRoot = base[0]!.path;
  const root = sd.type && sd.kind !== 'logical' ? sd.type : baseRoot;
  // A profile on a type keeps the type's paths; rebasing only matters for a logical model's root.
  const els: ElementDefinitionJson[] = base.map((e) => rebase(clone(e), baseRoot, root, baseRoot, root));
  const idOf = (e: ElementDefinitionJson) => e.id ?? e.path;
  /** Choices constrained by their type name (valueQuantity) → the type slices so made. */
  const renamedSlices = new Map<string, string[]>();
  /** Ids written with a choice's type name (Observation.valueQuantity) → the type slice's id. */
  const aliases = new Map<string, string>();
  const canonicalId = (id: string) => {
    for (const [from, to] of aliases) if (id === from || id.startsWith(`${from}.`) || id.startsWith(`${from}:`)) return to + id.slice(from.length);
    return id;
  };
  const find = (id: string) => {
    const wanted = canonicalId(id);
    return els.findIndex((e) => idOf(e) === wanted);
  };
  /** End of an element's own children (before its slices). */
  const childrenEnd = (i: number) => {
    const prefix = `${idOf(els[i]!)}.`;
    let j = i + 1;
    while (j < els.length && idOf(els[j]!).startsWith(prefix)) j++;
    return j;
  };
  /** End of an element with its children and slices (and theirs). */
  const subtreeEnd = (i: number) => {
    const id = idOf(els[i]!);
    let j = i + 1;
    while (j < els.length && (idOf(els[j]!).startsWith(`${id}.`) || idOf(els[j]!).startsWith(`${id}:`))) j++;
    return j;
  };

  /** Unrolls the children of element i from its (single) type or content reference. */
  const unroll = (i: number): boolean => {
    const parent = els[i]!;
    const parentId = idOf(parent);
    if (childrenEnd(i) > i + 1) return false; // already has children
    let children: ElementDefinitionJson[] | undefined;
    let fromId: string;
    let fromPath: string;
    if (parent.contentReference) {
      const ref = parent.contentReference.split('#')[1] ?? '';
      const at = find(ref) >= 0 ? find(ref) : els.findIndex((e) => e.path === ref && !e.sliceName);
      if (at < 0) return false;
      children = els.slice(at + 1, childrenEnd(at)).map(clone);
      fromId = idOf(els[at]!);
      fromPath = els[at]!.path;
      delete parent.contentReference;
      parent.type = clone(els[at]!.type);
    } else {
      const types = parent.type ?? [];
      if (types.length !== 1) return false;
      const t = types[0]!;
      const typeSnapshot = source(t.profile?.[0] ?? (t.code.includes('/') ? t.code : FHIR_BASE + t.code)) ?? source(FHIR_BASE + t.code);
      if (!typeSnapshot?.length) return false;
      fromId = idOf(typeSnapshot[0]!);
      fromPath = typeSnapshot[0]!.path;
      children = typeSnapshot.slice(1).map(clone);
    }
    const unrolled = children.map((c) => rebase(c, fromId, parentId, fromPath, parent.path));
    els.splice(i + 1, 0, ...unrolled);
    return unrolled.length > 0;
  };

  /** The index of the element with this id, creating slices and unrolling types on the way. */
  const ensure = (wanted: string): number => {
    const found = find(wanted);
    if (found >= 0) return found;
    const id = canonicalId(wanted);
    const segments = idSegments(id);
    if (segments.length < 2) return -1;
    const last = segments.at(-1)!;
    const parentId = segments.slice(0, -1).join('.');
    const colon = last.indexOf(':');
    if (colon >= 0) {
      const name = last.slice(0, colon);
      const sliceName = last.slice(colon + 1);
      const reslice = sliceName.lastIndexOf('/');
      const slicedId = reslice >= 0 ? `${parentId}.${name}:${sliceName.slice(0, reslice)}` : `${parentId}.${name}`;
      const s = ensure(slicedId);
      if (s < 0) return -1;
      // unrolling a type or profile may have brought the slice (an extension's own sub-extensions)
      const unrolledSlice = find(id);
      if (unrolledSlice >= 0) return unrolledSlice;
      const sliced = els[s]!;
      const copy = els.slice(s, childrenEnd(s)).map(clone);
      const slice = copy[0]!;
      slice.sliceName = sliceName;
      delete slice.slicing;
      // A slice is optional unless the differential says otherwise, whatever the sliced element's minimum.
      slice.min = 0;
      if (name.endsWith('[x]')) {
        // a type slice: the type its name spells
        const typeName = sliceName.slice(name.length - 3);
        const matching = (sliced.type ?? []).filter((t) => upperFirst(t.code) === typeName);
        if (matching.length) slice.type = clone(matching);
        if (!sliced.slicing) sliced.slicing = { discriminator: [{ type: 'type', path: '$this' }], ordered: false, rules: 'open' };
      } else if ((name === 'extension' || name === 'modifierExtension') && !sliced.slicing) {
        sliced.slicing = { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' };
      }
      const at = subtreeEnd(s);
      const added = copy.map((c) => rebase(c, slicedId, id, sliced.path, sliced.path));
      els.splice(at, 0, ...added);
      return at;
    }
    const p = ensure(parentId);
    if (p < 0) return -1;
    const direct = find(id);
    if (direct >= 0) return direct;
    // A choice named by its type (Observation.valueQuantity) is the type slice of value[x].
    const choice = els.slice(p + 1, childrenEnd(p)).find((e) => {
      const n = e.path.split('.').at(-1)!;
      return idOf(e) === `${parentId}.${n}` && n.endsWith('[x]') && last.startsWith(n.slice(0, -3)) && last.length > n.length - 3;
    });
    if (choice) {
      // Named by its type (valueQuantity), the choice is restricted to the types so named: a type
      // slice, and value[x] itself closed to those types.
      const sliceId = `${idOf(choice)}:${last}`;
      aliases.set(id, sliceId);
      const at = ensure(sliceId);
      if (at >= 0) {
        const slices = [...(renamedSlices.get(idOf(choice)) ?? []), sliceId];
        renamedSlices.set(idOf(choice), slices);
        const codes = new Set(slices.flatMap((id) => (els[find(id)]?.type ?? []).map((t) => t.code)));
        choice.type = (choice.type ?? []).filter((t) => codes.has(t.code));
        choice.slicing = { discriminator: [{ type: 'type', path: '$this' }], ordered: false, rules: 'closed' };
      }
      return at;
    }
    if (!unroll(p)) return -1;
    return find(id);
  };

  for (const d of sd.differential?.element ?? []) {
    const id = differentialId(d);
    if (id === root || d.path === root) {
      merge(els[0]!, d);
      continue;
    }
    const i = ensure(id);
    if (i < 0) {
      issues.push(`${id}: no such element in the base (${sd.baseDefinition})`);
      continue;
    }
    merge(els[i]!, d);
  }
  // A choice closed to its named types occurs as often as those type slices require.
  for (const [choiceId, sliceIds] of renamedSlices) {
    const choice = els[find(choiceId)]!;
    const required = sliceIds.reduce((n, id) => n + (els[find(id)]?.min ?? 0), 0);
    if ((choice.min ?? 0) < required) choice.min = required;
  }
  return { element: els, issues };
}

/** The id a differential element stands for (from its path and slice name when it has no id). */
function differentialId(d: ElementDefinitionJson): string {
  if (d.id) return d.id;
  return d.sliceName ? `${d.path}:${d.sliceName}` : d.path;
}

/** The element's id and path moved from one root to another (unrolled or sliced copies). */
function rebase(e: ElementDefinitionJson, fromId: string, toId: string, fromPath: string, toPath: string): ElementDefinitionJson {
  const id = e.id ?? e.path;
  if (id === fromId || id.startsWith(`${fromId}.`) || id.startsWith(`${fromId}:`)) e.id = toId + id.slice(fromId.length);
  if (e.path === fromPath || e.path.startsWith(`${fromPath}.`)) e.path = toPath + e.path.slice(fromPath.length);
  return e;
}

/** Applies a differential element onto its snapshot element. */
function merge(target: ElementDefinitionJson, d: ElementDefinitionJson): void {
  for (const [key, value] of Object.entries(d)) {
    if (POSITIONAL.has(key) || value === undefined) continue;
    if (APPENDED.has(key) && Array.isArray(value)) {
      const existing = (target[key] as unknown[] | undefined) ?? [];
      const keyOf = (v: unknown) =>
        key === 'constraint' ? (v as { key: string }).key : key === 'mapping' ? JSON.stringify(v) : String(typeof v === 'object' ? JSON.stringify(v) : v);
      const seen = new Set(existing.map(keyOf));
      target[key] = [...existing, ...value.filter((v) => !seen.has(keyOf(v)))];
      continue;
    }
    if ((key === 'binding' || key === 'slicing') && typeof value === 'object' && typeof target[key] === 'object' && target[key]) {
      const merged = { ...(target[key] as object), ...clone(value as object) } as Record<string, unknown>;
      // a profile cannot reopen a slicing its base closed
      if (key === 'slicing' && target.slicing?.rules === 'closed') merged.rules = 'closed';
      (target as Record<string, unknown>)[key] = merged;
      continue;
    }
    if (key.startsWith('fixed') || key.startsWith('pattern')) {
      // one fixed or pattern value per element: the differential's replaces any inherited one
      for (const k of Object.keys(target)) if ((k.startsWith('fixed') || k.startsWith('pattern')) && k !== key) delete target[k];
    }
    target[key] = clone(value);
  }
}

/** The snapshot elements of a StructureDefinition, generating them when it has only a differential. */
export function snapshotElements(sd: StructureDefinitionJson, source: SnapshotSource): GeneratedSnapshot {
  if (sd.snapshot?.element?.length) return { element: sd.snapshot.element, issues: [] };
  return generateSnapshot(sd, source);
}
