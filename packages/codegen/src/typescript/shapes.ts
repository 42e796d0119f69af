/**
 * The intermediate form shared by the TypeScript-type and zod emitters: for each profile, a tree of
 * shapes decided once from the snapshot, so that the type and the schema of a profile cannot
 * disagree (the type tests check it).
 */
import { discriminatorValues, isPrimitiveType, jsonNames, type ElementNode, type StructureModel, type TypeRef } from '@mes-fhir/profile-model';
import type { Terminology } from '@mes-fhir/terminology';

export type Shape =
  /** A FHIR primitive, optionally restricted to literal values (fixed value or required codes). */
  | { kind: 'primitive'; fhirType: string; literals?: Array<string | number | boolean>; valueSet?: string }
  /** An unconstrained data type or subtree: the @types/fhir type and the shared data-type schema. */
  | { kind: 'base'; ts: string; fhirType: string; requiredCodings?: string[] }
  /** A resource of a given type (or any type), not profiled. */
  | { kind: 'resource'; resourceType?: string }
  /** A resource that must conform to one of our profiles (by generated name). */
  | { kind: 'profiles'; names: string[] }
  /** An object the profile constrains: emitted as a named interface and a named schema. */
  | { kind: 'object'; name: string; baseTs: string; props: Prop[]; omit: string[]; doc?: string; pattern?: unknown; requiredCodings?: string[] }
  /** Closed slicing: one of the slices. */
  | { kind: 'union'; members: Shape[] };

export interface SliceSpec {
  name: string;
  min: number;
  max: number;
  /** Discriminator path → the value items of this slice carry there. */
  match: Array<{ path: string; value: unknown; kind: 'value' | 'pattern' }>;
  shape: Shape;
}

export interface Prop {
  key: string;
  optional: boolean;
  array: boolean;
  min: number;
  max: number;
  shape: Shape;
  doc?: string;
  /** Slices of an array element: checked at run time by discriminator. */
  slices?: { rules: 'open' | 'closed' | 'openAtEnd'; specs: SliceSpec[] };
  /** Add the `_key` primitive-extension companion. */
  primitiveExtension: boolean;
}

const TS_PRIMITIVE: Record<string, string> = {
  boolean: 'boolean',
  integer: 'number',
  decimal: 'number',
  positiveInt: 'number',
  unsignedInt: 'number',
  integer64: 'string',
};

export function tsPrimitive(fhirType: string): string {
  return TS_PRIMITIVE[fhirType] ?? 'string';
}

/** JSDoc of a property: the element's short text, and for references the profiles they may target. */
function docOf(node: ElementNode, type: TypeRef): string | undefined {
  const targets = type.code === 'Reference' || type.code === 'canonical' ? type.targetProfiles : [];
  const lines = [node.def.short, targets.length ? `Cible : ${targets.join(', ')}` : undefined].filter(Boolean);
  return lines.length ? lines.join('\n\n') : undefined;
}

const pascal = (s: string) =>
  s
    .replace(/\[x\]$/, '')
    .replace(/(^|[-_.:\s/])([a-zA-Z0-9])/g, (_m, _p, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, '');

/** Decides shapes; one instance per codegen run, caching what it resolves. */
export class ShapeBuilder {
  /** Named object shapes in dependency order (children before parents). */
  readonly named: Array<Extract<Shape, { kind: 'object' }>> = [];
  private readonly usedNames = new Set<string>();
  /** Complex data types referenced by `base` shapes: the emitter generates their schemas. */
  readonly dataTypes = new Set<string>();

  /** Profile canonical → generated name, for resources that must conform to one of our profiles. */
  readonly profileNames = new Map<string, string>();

  constructor(
    readonly model: StructureModel,
    readonly terminology: Terminology,
  ) {}

  /** Literal codes of a required binding, when the value set expands offline (small enough to type). */
  requiredCodes(node: ElementNode): string[] | undefined {
    if (node.binding?.strength !== 'required' || !node.binding.valueSet) return undefined;
    const expansion = this.terminology.expand(node.binding.valueSet);
    if (!expansion.ok || expansion.concepts.length === 0 || expansion.concepts.length > 200) return undefined;
    return [...new Set(expansion.concepts.map((c) => c.code))].sort();
  }

  /** `system|code` of a required binding on a Coding or CodeableConcept, when it expands offline. */
  requiredCodings(node: ElementNode, typeCode: string): string[] | undefined {
    if (typeCode !== 'Coding' && typeCode !== 'CodeableConcept') return undefined;
    if (node.binding?.strength !== 'required' || !node.binding.valueSet) return undefined;
    const expansion = this.terminology.expand(node.binding.valueSet);
    if (!expansion.ok || expansion.concepts.length === 0 || expansion.concepts.length > 500) return undefined;
    return [...new Set(expansion.concepts.map((c) => `${c.system}|${c.code}`))].sort();
  }

  /** The base definition's element for a node (same path in the R4 type), for comparisons. */
  private baseElement(node: ElementNode): ElementNode | undefined {
    const basePath = node.def.base?.path ?? node.path;
    const typeName = basePath.split('.')[0]!;
    return this.model.typeTree(typeName)?.byId.get(basePath);
  }

  /** Whether the profile narrows this element or anything below it, compared with base FHIR. */
  constrained(node: ElementNode, depth = 0): boolean {
    if (depth > 12) return false;
    if (node.slices.length > 0 || node.fixed) return true;
    const base = this.baseElement(node);
    if (base) {
      if (node.min !== base.min || node.max !== base.max) return true;
      if (node.types.length !== base.types.length) return true;
      if (node.types.some((t) => t.profiles.length > 0 && !['Extension'].includes(t.code))) return true;
      if (
        node.binding?.strength === 'required' &&
        (base.binding?.strength !== 'required' || base.binding.valueSet?.split('|')[0] !== node.binding.valueSet?.split('|')[0]) &&
        this.requiredCodes(node)
      )
        return true;
    }
    return node.children.some((c) => this.constrained(c, depth + 1));
  }

  private uniqueName(name: string): string {
    let candidate = name;
    for (let i = 2; this.usedNames.has(candidate); i++) candidate = `${name}${i}`;
    this.usedNames.add(candidate);
    return candidate;
  }

  /** Shape of the whole profile (its root), named after the profile. */
  profileShape(url: string, name: string, rootNode: ElementNode, resourceType: string, doc?: string): Extract<Shape, { kind: 'object' }> {
    this.profileNames.set(url, name);
    return this.objectShape(name, rootNode, { code: resourceType, profiles: [], targetProfiles: [] }, `fhir4.${resourceType}`, doc, true);
  }

  /**
   * An object shape from the children that apply to `node` with `type`. `baseTs` is the @types/fhir
   * type the object narrows.
   */
  private objectShape(
    name: string,
    node: ElementNode,
    type: TypeRef,
    baseTs: string,
    doc: string | undefined,
    isRoot = false,
  ): Extract<Shape, { kind: 'object' }> {
    const children = isRoot ? node.children : this.model.childrenFor(node, type);
    const props: Prop[] = [];
    const omit: string[] = [];
    const finalName = this.uniqueName(name);
    const patternValue = node.fixed && typeof node.fixed.value === 'object' ? node.fixed.value : undefined;
    for (const child of children) {
      const variants = jsonNames(child);
      const baseVariants = this.baseElement(child) ? jsonNames(this.baseElement(child)!) : variants;
      if (child.name === 'resourceType') continue;
      const isChoice = child.name.endsWith('[x]');
      for (const v of baseVariants) {
        omit.push(v.name);
        if (isPrimitiveType(v.type.code)) omit.push(`_${v.name}`);
      }
      if (child.max === 0) continue;
      for (const variant of variants) {
        const key = variant.name;
        const patternPart = patternValue && typeof patternValue === 'object' ? (patternValue as Record<string, unknown>)[key] : undefined;
        const shape = this.elementShape(child, variant.type, `${finalName}_${pascal(key)}`, `${baseTs}['${key}']`, patternPart);
        // A primitive fixed by an enclosing pattern must be present; a choice with several types never is.
        const fixedByPattern = patternPart !== undefined && typeof patternPart !== 'object';
        const optional = (child.min === 0 && !fixedByPattern) || (isChoice && variants.length > 1);
        props.push({
          key,
          optional,
          array: child.isArray,
          min: isChoice && variants.length > 1 ? 0 : child.min,
          max: child.max,
          shape,
          doc: docOf(child, variant.type),
          slices: child.slices.length && child.slicing && !isChoice ? this.sliceSpecs(child, finalName, `${baseTs}['${key}']`) : undefined,
          primitiveExtension: isPrimitiveType(variant.type.code),
        });
      }
    }
    const shape: Extract<Shape, { kind: 'object' }> = {
      kind: 'object',
      name: finalName,
      baseTs,
      props,
      omit: [...new Set(omit)].sort(),
      doc,
      pattern: patternValue,
    };
    this.named.push(shape);
    return shape;
  }

  private elementShape(node: ElementNode, type: TypeRef, name: string, baseTs: string, patternPart: unknown): Shape {
    const code = type.code;
    if (code === 'http://hl7.org/fhirpath/System.String') return { kind: 'primitive', fhirType: 'string' };
    if (isPrimitiveType(code)) {
      const fixed = node.fixed
        ? [node.fixed.value as string]
        : patternPart !== undefined && typeof patternPart !== 'object'
          ? [patternPart as string]
          : undefined;
      const codes = !fixed && code === 'code' ? this.requiredCodes(node) : undefined;
      return { kind: 'primitive', fhirType: code, literals: fixed ?? codes, valueSet: codes ? node.binding?.valueSet : undefined };
    }
    if (code === 'Resource') return { kind: 'resource' };
    if (this.model.typeTree(code)?.sd.kind === 'resource') {
      const names = type.profiles.map((url) => this.profileNames.get(url)).filter((n): n is string => Boolean(n));
      return names.length ? { kind: 'profiles', names } : { kind: 'resource', resourceType: code };
    }
    const itemBase = node.isArray ? `NonNullable<${baseTs}>[number]` : `NonNullable<${baseTs}>`;
    const isBackbone = code === 'BackboneElement' || code === 'Element';
    const typeBaseTs = isBackbone ? itemBase : `fhir4.${code}`;
    const typeSlice = node.name.endsWith('[x]') ? node.slices.find((s) => s.types.length === 1 && s.types[0]!.code === code) : undefined;
    const hasPattern = patternPart !== undefined || node.fixed !== undefined || typeSlice?.fixed !== undefined;
    // A choice element is narrowed per type: by its type slice (value[x]:valueQuantity), not by the
    // mere presence of type slices for other types.
    const narrowed = node.name.endsWith('[x]')
      ? (typeSlice ? this.constrained(typeSlice) : false) || node.children.some((c) => this.constrained(c))
      : this.constrained(node);
    const structural = isBackbone || narrowed || hasPattern || (type.profiles.length > 0 && code !== 'Extension');
    const requiredCodings = this.requiredCodings(node, code);
    if (!structural) {
      this.dataTypes.add(code);
      return { kind: 'base', ts: typeBaseTs, fhirType: code, ...(requiredCodings ? { requiredCodings } : {}) };
    }
    if (!isBackbone) this.dataTypes.add(code);
    const source = typeSlice && (typeSlice.children.length || typeSlice.fixed) ? typeSlice : node;
    const shape = this.objectShape(name, source, type, typeBaseTs, node.def.short);
    if (requiredCodings) shape.requiredCodings = requiredCodings;
    return shape;
  }

  private sliceSpecs(node: ElementNode, ownerName: string, baseTs: string): { rules: 'open' | 'closed' | 'openAtEnd'; specs: SliceSpec[] } {
    const specs: SliceSpec[] = [];
    for (const slice of node.slices) {
      const type = slice.types[0] ?? node.types[0]!;
      const shape = this.elementShape(slice, type, `${ownerName}_${pascal(slice.sliceName ?? 'slice')}`, baseTs, undefined);
      specs.push({ name: slice.sliceName ?? '', min: slice.min, max: slice.max, match: this.discriminatorValues(node, slice), shape });
    }
    return { rules: node.slicing!.rules, specs };
  }

  /**
   * Value and pattern discriminators as they are; type and profile discriminators on a resource
   * (Bundle.entry sliced by the profile of `resource`) as the resource type the slice allows, which
   * the schemas can test (`resource.resourceType`); the slice's own schema then checks the profile.
   */
  private discriminatorValues(sliced: ElementNode, slice: ElementNode): SliceSpec['match'] {
    const match = discriminatorValues(this.model, sliced, slice);
    for (const d of sliced.slicing?.discriminator ?? []) {
      if (d.type !== 'type' && d.type !== 'profile') continue;
      const at = d.path === '$this' ? slice : this.model.childrenFor(slice, slice.types[0] ?? sliced.types[0]!).find((c) => c.name === d.path);
      const codes = [...new Set(at?.types.map((t) => t.code) ?? [])];
      const resourceType = codes.length === 1 ? codes[0]! : undefined;
      if (resourceType && this.model.typeTree(resourceType)?.sd.kind === 'resource')
        match.push({ path: `${d.path === '$this' ? '' : `${d.path}.`}resourceType`, value: resourceType, kind: 'value' });
    }
    return match;
  }
}
