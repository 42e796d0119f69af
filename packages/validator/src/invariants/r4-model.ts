/**
 * Navigation by the FHIR R4 model of the fhirpath library: a child element's path and type, the
 * typed JSON names of a choice, the type hierarchy. Memoised: the walk and the compiled FHIRPath
 * ask for the same few thousand children again and again.
 */
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { isObject } from '@mes-fhir/core';

export const r4Model = r4 as unknown as {
  choiceTypePaths: Record<string, string[]>;
  pathsDefinedElsewhere: Record<string, string>;
  path2Type: Record<string, string>;
  type2Parent: Record<string, string>;
};
const PRIMITIVE_SUFFIXES = new Set(
  'Base64Binary Boolean Canonical Code Date DateTime Decimal Id Instant Integer Markdown Oid PositiveInt String Time UnsignedInt Uri Url Uuid'.split(' '),
);
/** The FHIR type a choice suffix names (`DateTime` → dateTime, `Quantity` → Quantity). */
export const typeOfSuffix = (suffix: string) => (PRIMITIVE_SUFFIXES.has(suffix) ? suffix.charAt(0).toLowerCase() + suffix.slice(1) : suffix);

/** A child element in the R4 model: its path and type, or the types of a choice (`Observation.value`). */
export interface ModelChild {
  /** Its name (`value` for `value[x]`). */
  name: string;
  path: string;
  type?: string;
  /** For a choice: its JSON names with their types (`valueQuantity` → Quantity), and their `_` companions. */
  choices?: Array<{ key: string; companion: string; type: string }>;
  /** `_name`, the companion of a primitive element. */
  companion: string;
  /** A choice's JSON names (`valueQuantity`, `_valueString`…) to their choice. */
  byKey?: Map<string, { key: string; companion: string; type: string }>;
}

/**
 * The one value of a choice in an object, found by reading the object's own keys (cheaper than
 * asking for each of a choice's dozens of names): null when there is none, undefined when only the
 * library can say (a `_` companion, an array, two values).
 */
export function choiceIn(v: Record<string, unknown>, child: ModelChild): { value: unknown; type: string } | null | undefined {
  const stem = child.name;
  const byKey = child.byKey!;
  let found: { value: unknown; type: string } | null = null;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const at = key.charCodeAt(0) === 95 ? 1 : 0;
    if (key.length <= stem.length + at || !key.startsWith(stem, at)) continue;
    const choice = byKey.get(key);
    if (!choice) continue;
    const value = v[key];
    if (at === 1 || found || Array.isArray(value)) return undefined;
    if (value !== undefined) found = { value, type: choice.type };
  }
  return found;
}
const children = new Map<string, Map<string, ModelChild>>();

/** A child element in the R4 model (memoised: the walk asks for the same few thousand, again and again). */
export function childOf(parentPath: string, name: string): ModelChild {
  let byName = children.get(parentPath);
  if (!byName) children.set(parentPath, (byName = new Map()));
  let child = byName.get(name);
  if (!child) {
    const path = `${parentPath}.${name}`;
    const choices = r4Model.choiceTypePaths[path];
    if (choices) {
      const list = choices.map((suffix) => ({ key: `${name}${suffix}`, companion: `_${name}${suffix}`, type: typeOfSuffix(suffix) }));
      const byKey = new Map(list.flatMap((c) => [[c.key, c] as const, [c.companion, c] as const]));
      child = { name, path, companion: `_${name}`, choices: list, byKey };
    } else child = { name, path, companion: `_${name}`, type: r4Model.path2Type[path] };
    byName.set(name, child);
  }
  return child;
}

/**
 * The model path an item's own children hang from: a backbone element keeps its path (or the one
 * its content is defined at), a data type or a resource restarts at its name.
 */
export function itemPath(path: string, type: string | undefined, value: unknown): string | undefined {
  if (type === 'BackboneElement' || type === 'Element') return r4Model.pathsDefinedElsewhere[path] ?? path;
  if (type === 'Resource') return isObject(value) && typeof value.resourceType === 'string' ? value.resourceType : undefined;
  return type;
}

/**
 * The child of one name, as one navigation step asks for it: it remembers the last parent path it
 * looked up, the same on almost every call of that step.
 */
export interface ChildCache {
  name: string;
  parent?: string;
  child?: ModelChild;
}
export function cachedChildOf(site: ChildCache, parentPath: string): ModelChild {
  if (site.parent !== parentPath) {
    site.child = childOf(parentPath, site.name);
    site.parent = parentPath;
  }
  return site.child!;
}

/** Whether an item of type `t` is a `typeName`, by the R4 type hierarchy (a code is a string, an Age a Quantity). */
export function isType(t: string | undefined, typeName: string): boolean | undefined {
  if (t === undefined) return undefined;
  for (let type: string | undefined = t, i = 0; type && i < 10; type = r4Model.type2Parent[type], i++) if (type === typeName) return true;
  return false;
}
