/**
 * What the walk needs of a set of child elements, worked out once per set: each JSON name's
 * element and type, the `_name` companions, the children whose count can break a rule.
 */
import { isPrimitiveType, jsonNames, type ElementNode, type TypeRef } from '@mes-fhir/profile-model';
import type { VerifiedValue } from '../verified-values.js';
import type { ValuePlan } from './value-plan.js';

/**
 * Where an object sits in the resource: its FHIR element path and type (extension contexts are
 * judged against them). Places are memoised by their parent place, so the same place is the same
 * object and no path string is built per value.
 */
export interface ElementPlace {
  path: string;
  type: string;
  /** The path from the nearest enclosing data type (`Address.line` inside Organization.address); undefined: the same as `path`. */
  typePath?: string;
  /** Memo keys: the place this one was made under (a child's), and the place of an object value here by its type. */
  parent?: ElementPlace;
  inner?: ElementPlace;
}

/** One JSON name of a child element. */
export interface LookupEntry {
  child: ElementNode;
  type: TypeRef;
  index: number;
  /** The child's type is a primitive: no place of its own, a `_name` companion may carry its extensions. */
  primitive: boolean;
  /** The child is sliced (not a choice's type slices): its items are matched to slices. */
  sliced: boolean;
  /** The check of one value with this type, once known. */
  plan?: ValuePlan;
  /** The place of its last values, for the parent place it was made under (see ElementPlace.parent). */
  place?: ElementPlace;
  /** The JSON name, and its `_name` companion (kept: a name built per property would be hashed per lookup). */
  name: string;
  companion: string;
  /** The last value of this child found without issue, whose walk a value equal to it skips. */
  verified?: VerifiedValue;
}

export interface ElementLookup {
  children: ElementNode[];
  byName: Map<string, LookupEntry>;
  /** The same entries by `_name`, the companion that carries a primitive's id and extensions. */
  byCompanion: Map<string, LookupEntry>;
  /** Each child's name without `[x]` (the FHIRPath name) and its JSON names, in the children's order. */
  names: Array<{ fhirName: string; jsonNames: string[] }>;
  /**
   * The children whose count can break a rule on a well-formed object: a minimum, a maximum of 0, a
   * finite maximum on an array, or a choice (two of its names). Others break one only when given an
   * array where a single value goes, which the walk notes.
   */
  counted: number[];
}

export function buildLookup(children: ElementNode[]): ElementLookup {
  const lookup: ElementLookup = { children, byName: new Map(), byCompanion: new Map(), names: [], counted: [] };
  children.forEach((child, index) => {
    const names = jsonNames(child);
    const sliced = child.slices.length > 0 && Boolean(child.slicing) && !child.name.endsWith('[x]');
    for (const v of names) {
      const entry: LookupEntry = { child, type: v.type, index, primitive: isPrimitiveType(v.type.code), sliced, name: v.name, companion: `_${v.name}` };
      lookup.byName.set(v.name, entry);
      lookup.byCompanion.set(entry.companion, entry);
    }
    lookup.names.push({ fhirName: child.name.replace('[x]', ''), jsonNames: names.map((n) => n.name) });
    if (child.min > 0 || child.max === 0 || (child.isArray && child.max !== Infinity) || names.length > 1) lookup.counted.push(index);
  });
  return lookup;
}

/**
 * The place of an object child, memoised by its parent place: the same place gets the same object,
 * no strings built. typePath stays undefined while it equals the path (outside data types).
 */
export function childPlace(entry: LookupEntry, place: ElementPlace, lookup: ElementLookup): ElementPlace {
  let memo = entry.place;
  if (memo === undefined || memo.parent !== place) {
    const fhirName = lookup.names[entry.index]!.fhirName;
    memo = entry.place = {
      path: `${place.path}.${fhirName}`,
      type: place.type,
      typePath: place.typePath === undefined ? undefined : `${place.typePath}.${fhirName}`,
      parent: place,
    };
  }
  return memo;
}

/** The place of an object value of a type: inside a data type, paths restart at its name (Address.line); backbone elements keep the resource's path. */
export function objectPlace(at: ElementPlace, code: string): ElementPlace {
  let place = at.inner;
  if (place === undefined || place.type !== code)
    place = at.inner = { path: at.path, type: code, typePath: code === 'BackboneElement' || code === 'Element' ? at.typePath : code };
  return place;
}
