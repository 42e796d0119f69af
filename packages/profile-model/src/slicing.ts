import type { ElementNode, StructureModel } from './model.js';

export interface DiscriminatorValue {
  path: string;
  value: unknown;
  kind: 'value' | 'pattern';
}

/**
 * For each value/pattern discriminator of a sliced element, the value a slice fixes at that path:
 * found on the slice's children (or their own slices), or inside a pattern on the slice itself.
 */
export function discriminatorValues(model: StructureModel, sliced: ElementNode, slice: ElementNode): DiscriminatorValue[] {
  const out: DiscriminatorValue[] = [];
  for (const d of sliced.slicing?.discriminator ?? []) {
    if (d.type !== 'value' && d.type !== 'pattern') continue;
    const value = fixedValueAt(model, slice, d.path);
    if (value !== undefined) out.push({ path: d.path, value, kind: d.type });
  }
  return out;
}

/** The fixed/pattern value at a dotted path below an element, following children, slices and type profiles. */
export function fixedValueAt(model: StructureModel, element: ElementNode, path: string): unknown {
  if (path === '$this') return element.fixed?.value;
  const [head, ...rest] = path.split('.');
  const children = model.childrenFor(element, element.types[0]);
  for (const child of children.filter((c) => c.name === head).flatMap((c) => [c, ...c.slices])) {
    const found = rest.length === 0 ? child.fixed?.value : fixedValueAt(model, child, rest.join('.'));
    if (found !== undefined) return found;
  }
  // a pattern on the element itself (patternCoding on a coding slice) also fixes the path
  let value: unknown = element.fixed?.value;
  for (const part of path.split('.')) {
    if (value === undefined || value === null) return undefined;
    value = Array.isArray(value) ? (value[0] as Record<string, unknown>)?.[part] : (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The canonical a profile requires in meta.profile besides its own (a fixed or pattern value on a
 * meta.profile slice), ignoring FrCore's own claims. For our profiles: the MES canonical.
 */
export function requiredMetaProfile(model: StructureModel, url: string): string | undefined {
  const tree = model.tree(url);
  if (!tree) return undefined;
  for (const node of tree.byId.values()) {
    if (node.path !== `${tree.sd.type}.meta.profile` || !node.sliceName || node.min < 1) continue;
    const value = node.fixed?.value;
    if (typeof value === 'string' && value !== url) return value;
  }
  return undefined;
}
