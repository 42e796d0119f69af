import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import { idSegments, type ElementDefinitionJson, type StructureDefinitionJson } from './element-definition.js';
import { generateSnapshot } from './snapshot.js';

export const FHIR_BASE = 'http://hl7.org/fhir/StructureDefinition/';

export interface TypeRef {
  code: string;
  /** Profiles the value must conform to (for Extension: the extension definition). */
  profiles: string[];
  /** For Reference and canonical: the profiles the target must conform to. */
  targetProfiles: string[];
}

export interface Constraint {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression?: string;
  /** The StructureDefinition that introduced the constraint. */
  source?: string;
}

export interface FixedValue {
  kind: 'fixed' | 'pattern';
  /** The FHIR type named in the property (`fixedUri` → `Uri`). */
  type: string;
  value: unknown;
}

/** One element of a profile, with its children and slices as the snapshot gives them. */
export interface ElementNode {
  def: ElementDefinitionJson;
  id: string;
  path: string;
  /** The last path segment (`value[x]`, `coding`). */
  name: string;
  sliceName?: string;
  min: number;
  /** Maximum occurrences; Infinity for `*`. */
  max: number;
  /** Whether JSON carries an array: decided by the base definition's max, not the profile's. */
  isArray: boolean;
  types: TypeRef[];
  fixed?: FixedValue;
  binding?: { strength: string; valueSet?: string };
  constraints: Constraint[];
  slicing?: { discriminator: Array<{ type: string; path: string }>; rules: 'open' | 'closed' | 'openAtEnd'; ordered: boolean };
  children: ElementNode[];
  slices: ElementNode[];
  parent?: ElementNode;
  /** The element whose slice this is. */
  sliceOf?: ElementNode;
  tree: ProfileTree;
}

export interface ProfileTree {
  sd: StructureDefinitionJson;
  root: ElementNode;
  byId: Map<string, ElementNode>;
}

const parseMax = (max: string | undefined): number => (max === undefined ? Infinity : max === '*' ? Infinity : Number(max));

function fixedOf(def: ElementDefinitionJson): FixedValue | undefined {
  for (const [k, v] of Object.entries(def)) {
    if (v === undefined) continue;
    if (k.startsWith('fixed') && k.length > 5) return { kind: 'fixed', type: k.slice(5), value: v };
    if (k.startsWith('pattern') && k.length > 7) return { kind: 'pattern', type: k.slice(7), value: v };
  }
  return undefined;
}

/** Builds the element tree of a StructureDefinition snapshot. */
export function buildTree(sd: StructureDefinitionJson): ProfileTree {
  const elements = sd.snapshot?.element;
  if (!elements?.length) throw new Error(`StructureDefinition ${sd.url} has no snapshot`);
  const byId = new Map<string, ElementNode>();
  const tree = { sd, byId } as ProfileTree;
  for (const def of elements) {
    const id = def.id ?? def.path;
    const segments = idSegments(id);
    const last = segments.at(-1)!;
    const [name = last, sliceName] = last.split(':');
    const node: ElementNode = {
      def,
      id,
      path: def.path,
      name: def.path.split('.').at(-1)!,
      sliceName: sliceName ?? def.sliceName,
      min: def.min ?? 0,
      max: parseMax(def.max),
      isArray: segments.length > 1 && parseMax(def.base?.max ?? def.max) > 1,
      types: (def.type ?? []).map((t) => ({ code: t.code, profiles: t.profile ?? [], targetProfiles: t.targetProfile ?? [] })),
      fixed: fixedOf(def),
      binding: def.binding ? { strength: def.binding.strength, valueSet: def.binding.valueSet } : undefined,
      constraints: (def.constraint ?? []).map((c) => ({
        key: c.key,
        severity: c.severity === 'warning' ? 'warning' : 'error',
        human: c.human,
        expression: c.expression,
        source: c.source,
      })),
      slicing: def.slicing
        ? {
            discriminator: def.slicing.discriminator ?? [],
            rules: (def.slicing.rules as 'open' | 'closed' | 'openAtEnd') ?? 'open',
            ordered: def.slicing.ordered ?? false,
          }
        : undefined,
      children: [],
      slices: [],
      tree,
    };
    byId.set(id, node);
    if (segments.length === 1) {
      tree.root = node;
      continue;
    }
    if (sliceName !== undefined) {
      const slicedId = [...segments.slice(0, -1), name].join('.');
      const sliced = byId.get(slicedId);
      if (sliced) {
        node.sliceOf = sliced;
        node.parent = sliced.parent;
        sliced.slices.push(node);
        continue;
      }
    }
    const parent = byId.get(segments.slice(0, -1).join('.'));
    if (!parent) throw new Error(`${sd.url}: element ${id} comes before its parent`);
    node.parent = parent;
    parent.children.push(node);
  }
  return tree;
}

/** The JSON property names an element takes (`value[x]` → valueQuantity, valueString…). */
export function jsonNames(node: ElementNode): Array<{ name: string; type: TypeRef }> {
  if (!node.name.endsWith('[x]'))
    return node.types.length
      ? node.types.map((t) => ({ name: node.name, type: t })).slice(0, 1)
      : [{ name: node.name, type: { code: 'BackboneElement', profiles: [], targetProfiles: [] } }];
  const stem = node.name.slice(0, -3);
  return node.types.map((t) => ({ name: stem + t.code.charAt(0).toUpperCase() + t.code.slice(1), type: t }));
}

/** FHIR primitive types (lower-case first letter), which JSON carries as JSON primitives plus `_name`. */
export const isPrimitiveType = (code: string): boolean => /^[a-z]/.test(code) || code === 'http://hl7.org/fhirpath/System.String';

/**
 * Resolves profiles and base types to element trees, once each. Children an element does not list
 * in the snapshot come from its type's definition (a data type or a profile on it).
 */
export class StructureModel {
  private readonly trees = new Map<string, ProfileTree | null>();
  private readonly generated = new Map<string, ElementDefinitionJson[] | null>();
  private readonly snapshotIssues = new Map<string, string[]>();

  constructor(readonly index: ResourceIndex) {}

  /** The StructureDefinition for a canonical, or undefined. */
  definition(url: string): StructureDefinitionJson | undefined {
    return this.index.resolveOfType<StructureDefinitionJson>(url, 'StructureDefinition');
  }

  /**
   * The element tree of a canonical, or undefined when it is not loaded. A StructureDefinition
   * with only a differential gets its snapshot generated from its base (see `snapshot`).
   */
  tree(url: string): ProfileTree | undefined {
    let tree = this.trees.get(url);
    if (tree === undefined) {
      const sd = this.definition(url);
      // Unknown urls are not remembered: inputs may claim any number of them.
      if (!sd) return undefined;
      const element = this.snapshot(url);
      tree = element?.length ? buildTree(element === sd.snapshot?.element ? sd : { ...sd, snapshot: { element } }) : null;
      this.trees.set(url, tree);
    }
    return tree ?? undefined;
  }

  /**
   * The snapshot elements of a canonical: its own, or generated from its differential and its
   * base's snapshot (itself generated if need be), once. Undefined when it cannot be had.
   */
  snapshot(url: string): ElementDefinitionJson[] | undefined {
    const sd = this.definition(url);
    if (!sd) return undefined;
    if (sd.snapshot?.element?.length) return sd.snapshot.element;
    const known = this.generated.get(url);
    if (known !== undefined) return known ?? undefined;
    if (!sd.differential?.element?.length) return undefined;
    this.generated.set(url, null); // a base cycle ends here
    const result = generateSnapshot(sd, (u) => this.snapshot(u));
    this.snapshotIssues.set(url, result.issues);
    this.generated.set(url, result.element.length ? result.element : null);
    return result.element.length ? result.element : undefined;
  }

  /** What could not be placed when a snapshot was generated for this canonical (empty when none). */
  generationIssues(url: string): string[] {
    return this.snapshotIssues.get(url) ?? [];
  }

  /** The tree of a base FHIR type (`Observation`, `CodeableConcept`). */
  typeTree(code: string): ProfileTree | undefined {
    return this.tree(code.includes('/') ? code : FHIR_BASE + code);
  }

  /**
   * The children that apply to a value of `node` with the given type: those of the snapshot when it
   * lists them (or of a type slice such as `value[x]:valueQuantity`), else those of the type's profile
   * or base definition.
   */
  childrenFor(node: ElementNode, type?: TypeRef): ElementNode[] {
    const typeSlice = type && node.name.endsWith('[x]') ? node.slices.find((s) => s.types.length === 1 && s.types[0]!.code === type.code) : undefined;
    if (typeSlice?.children.length) return typeSlice.children;
    if (node.children.length) return node.children;
    if (node.def.contentReference) {
      const ref = node.def.contentReference.split('#')[1] ?? '';
      const target = node.tree.byId.get(ref) ?? this.typeTree(ref.split('.')[0]!)?.byId.get(ref);
      return target?.children ?? [];
    }
    const t = type ?? node.types[0];
    if (!t || isPrimitiveType(t.code) || t.code === 'Resource') return [];
    const profiled = t.profiles[0] ? this.tree(t.profiles[0]) : undefined;
    const tree = profiled ?? this.typeTree(t.code);
    return tree?.root.children ?? [];
  }
}

/**
 * The FHIRPath of an R4 constraint as the fhirpath library evaluates it faithfully. R4 invariants
 * (dom-3, for one) call `as(type)` on collections, which FHIRPath later restricted to single items
 * and the library enforces; on a collection, `ofType(type)` has the meaning R4 intended.
 */
export function fhirpathForEvaluation(expression: string): string {
  return expression.replace(/\.as\(/g, '.ofType(');
}
