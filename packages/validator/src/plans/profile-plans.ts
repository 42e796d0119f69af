/**
 * The compiled form of the loaded profiles, built on first use and kept: element lookups, value
 * plans, the type hierarchy, invariant plans, profile resolution. Plans never report: the walk and
 * the rules read them.
 */
import { isObject, type Json } from '@mes-fhir/core';
import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import { isPrimitiveType, requiredMetaProfile, type ElementNode, type ProfileTree, type StructureModel, type TypeRef } from '@mes-fhir/profile-model';
import { planInvariants, type InvariantPlan } from '../invariants/plan.js';
import type { PrimitiveChecks } from '../rules/primitives.js';
import type { ValidatorSettings } from '../validator.js';
import { codesBesideBinding } from '../rules/binding.js';
import { readLimits } from '../rules/values.js';
import { buildLookup, type ElementLookup, type ElementPlace } from './element-lookup.js';
import type { ValuePlan, ValueRule } from './value-plan.js';

const VITAL_SIGNS = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';
/** The R4 vital-signs profiles (FHIR R4, Observation "Vital Signs"); their codes are read from them. */
const VITAL_SIGNS_PROFILES = ['vitalspanel', 'resprate', 'heartrate', 'oxygensat', 'bodytemp', 'bodyheight', 'headcircum', 'bodyweight', 'bmi', 'bp'];
const LOINC = 'http://loinc.org';

const FHIR_BASE = 'http://hl7.org/fhir/StructureDefinition/';
const SYSTEM_STRING = 'http://hl7.org/fhirpath/System.String';
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

/** The FHIR type of an element typed System.String (ids, Extension.url): its fhir-type extension. */
function fhirTypeOf(node: ElementNode): string {
  const ext = (node.def.type?.[0]?.extension as Array<{ url: string; valueUrl?: string }> | undefined)?.find((e) => e.url === FHIR_TYPE_EXTENSION);
  return ext?.valueUrl ?? 'string';
}

export class ProfilePlans {
  private readonly lookups = new WeakMap<ElementNode[], ElementLookup>();
  private readonly valuePlans = new WeakMap<ElementNode, Map<TypeRef, ValuePlan>>();
  private readonly invariantPlans = new Map<string, InvariantPlan>();
  private readonly baseTypes = new Map<string, ProfileTree>();
  private readonly resourceBases = new Map<string, ProfileTree>();
  private readonly resourcePlaces = new Map<string, ElementPlace>();
  private readonly ancestors = new Map<string, string[]>();
  private readonly targetTypes = new WeakMap<TypeRef, Set<string>>();
  private readonly profileRootTypes = new WeakMap<ProfileTree, TypeRef>();
  private readonly resolvedProfiles = new Map<string, string | undefined>();
  private mesCanonicals?: Map<string, string>;
  private globals?: Map<string, string[]>;
  private vitalSigns?: Map<string, string>;

  constructor(
    readonly model: StructureModel,
    readonly index: ResourceIndex,
    private readonly primitives: PrimitiveChecks,
    /** Labels of the layers whose profiles may be required by an MES canonical (our generated output, --load). */
    private readonly ownLayers: string[],
    readonly settings: ValidatorSettings = {},
  ) {}

  /** A canonical → the loaded profile: itself, or our profile that requires that MES canonical. */
  resolveProfile(canonical: string): string | undefined {
    if (!this.mesCanonicals) {
      this.mesCanonicals = new Map();
      for (const e of this.index.list('StructureDefinition')) {
        if (!e.url || !this.ownLayers.includes(e.source)) continue;
        const mes = requiredMetaProfile(this.model, e.url);
        if (mes && !this.mesCanonicals.has(mes)) this.mesCanonicals.set(mes, e.url);
      }
    }
    if (this.resolvedProfiles.has(canonical)) return this.resolvedProfiles.get(canonical);
    const bar = canonical.indexOf('|');
    const url = bar < 0 ? canonical : canonical.slice(0, bar);
    const mapped = this.mesCanonicals.get(url);
    const resolved = this.model.tree(url) ? url : mapped && this.model.tree(mapped) ? mapped : undefined;
    // every resource claims its profile: resolved once per canonical (bounded against hostile claims)
    if (this.resolvedProfiles.size >= 1000) this.resolvedProfiles.clear();
    this.resolvedProfiles.set(canonical, resolved);
    return resolved;
  }

  /**
   * The profiles an ImplementationGuide of our layers (our output, `--load`) declares for every
   * resource of a type (`ImplementationGuide.global`), as the HL7 validator applies those of the
   * guides it is given. The dependencies' guides are not given: their globals do not apply.
   */
  globalProfiles(resourceType: string): string[] {
    if (!this.globals) {
      this.globals = new Map();
      for (const e of this.index.list('ImplementationGuide')) {
        if (!this.ownLayers.includes(e.source)) continue;
        const ig = this.index.read<{ global?: unknown }>(e);
        for (const g of Array.isArray(ig.global) ? ig.global : []) {
          if (!isObject(g) || typeof g.type !== 'string' || typeof g.profile !== 'string') continue;
          const list = this.globals.get(g.type) ?? [];
          if (!list.includes(g.profile)) list.push(g.profile);
          this.globals.set(g.type, list);
        }
      }
    }
    return this.globals.get(resourceType) ?? [];
  }

  /**
   * The R4 vital-signs profile of an Observation's LOINC code (8310-5 → bodytemp…), as the HL7
   * validator applies it to every Observation coded so. The table is read from the loaded core
   * profiles (their fixed code), not restated.
   */
  vitalSignsProfile(observation: Json): string | undefined {
    if (!this.vitalSigns) {
      this.vitalSigns = new Map();
      // the ten R4 profiles, read by name: a scan for what derives from vitalsigns would parse
      // every core definition (1,325 files, ~280 ms and ~70 MB kept) on the first Observation
      for (const name of VITAL_SIGNS_PROFILES) {
        const sd = this.model.definition(FHIR_BASE + name);
        if (sd?.baseDefinition !== VITAL_SIGNS) continue;
        const code = sd.snapshot?.element?.find((el) => /^Observation\.code\.coding:[^.]+\.code$/.test(el.id ?? ''))?.fixedCode;
        if (typeof code === 'string') this.vitalSigns.set(code, sd.url);
      }
    }
    const codings = isObject(observation.code) && Array.isArray(observation.code.coding) ? observation.code.coding : [];
    for (const c of codings)
      if (isObject(c) && c.system === LOINC && typeof c.code === 'string' && this.vitalSigns.has(c.code)) return this.vitalSigns.get(c.code);
    return undefined;
  }

  /** Whether a profile is, or derives from, a canonical. */
  derivesFrom(tree: ProfileTree, url: string): boolean {
    let sd: { url: string; baseDefinition?: string } | undefined = tree.sd;
    for (let i = 0; sd && i < 20; i++) {
      if (sd.url === url) return true;
      sd = sd.baseDefinition ? this.model.tree(sd.baseDefinition)?.sd : undefined;
    }
    return false;
  }

  lookup(children: ElementNode[]): ElementLookup {
    let lookup = this.lookups.get(children);
    if (!lookup) this.lookups.set(children, (lookup = buildLookup(children)));
    return lookup;
  }

  /** The lookup of an element's children for one of its types (data types expanded from their definition). */
  childrenLookup(node: ElementNode, type: TypeRef): ElementLookup {
    return this.lookup(this.model.childrenFor(node, type));
  }

  /** The children of Element, which a primitive's `_name` companion holds. */
  elementLookup(): ElementLookup {
    return this.lookup(this.baseType('Element')?.root.children ?? []);
  }

  /** The rules on an element's values of one type: its type slice, fixed/pattern, bindings, limits, its type's primitive check. */
  valuePlan(node: ElementNode, type: TypeRef): ValuePlan {
    let byType = this.valuePlans.get(node);
    if (!byType) this.valuePlans.set(node, (byType = new Map()));
    let plan = byType.get(type);
    if (plan) return plan;
    const typeSlice = node.name.endsWith('[x]') ? node.slices.find((s) => s.types.length === 1 && s.types[0]!.code === type.code) : undefined;
    const defs = typeSlice ? [node, typeSlice] : [node];
    const valueRules: ValueRule[] = [];
    for (const def of defs) {
      if (def.fixed) valueRules.push({ rule: def.fixed.kind, value: def.fixed.value, json: JSON.stringify(def.fixed.value) });
      const binding = def.binding;
      if (binding && (binding.strength === 'required' || binding.strength === 'extensible' || binding.strength === 'preferred') && binding.valueSet)
        valueRules.push({ rule: 'binding', strength: binding.strength, valueSet: binding.valueSet, alsoAllowed: codesBesideBinding(def) });
    }
    for (const def of defs) {
      const limits = readLimits(def);
      if (limits) valueRules.push({ rule: 'limits', limits });
    }
    const code = type.code === SYSTEM_STRING ? fhirTypeOf(node) : type.code;
    plan = {
      type,
      typeSlice,
      valueRules,
      code,
      primitive: isPrimitiveType(code) ? this.primitives.get(code) : undefined,
      text: code === 'string' || code === 'markdown' || code === 'xhtml' ? code : undefined,
      resourceId: node.name === 'id' && node.parent === node.tree.root && node.path.split('.').length === 2 && node.tree.sd.kind === 'resource',
      resource: code === 'Resource' || this.baseType(code)?.sd.kind === 'resource',
      quantity: code === 'Quantity' || this.baseType(code)?.sd.type === 'Quantity',
      attachment: code === 'Attachment',
    };
    byType.set(type, plan);
    return plan;
  }

  /** A profile's root as a value plan's type, one TypeRef per profile (value plans are memoised by it). */
  profileRootType(tree: ProfileTree): TypeRef {
    let rootType = this.profileRootTypes.get(tree);
    if (!rootType) this.profileRootTypes.set(tree, (rootType = { code: tree.sd.type, profiles: [tree.sd.url], targetProfiles: [] } as unknown as TypeRef));
    return rootType;
  }

  invariantsOf(tree: ProfileTree): InvariantPlan {
    let plan = this.invariantPlans.get(tree.sd.url);
    if (!plan) this.invariantPlans.set(tree.sd.url, (plan = planInvariants(this.model, tree)));
    return plan;
  }

  /**
   * A base type's tree by code, memoised (the model builds a canonical per call). Unknown codes are
   * not remembered: inputs name any number of them (resourceType, a reference's type).
   */
  baseType(code: string): ProfileTree | undefined {
    let tree = this.baseTypes.get(code);
    if (tree === undefined) {
      tree = this.model.typeTree(code);
      if (tree) this.baseTypes.set(code, tree);
    }
    return tree;
  }

  /** The base definition of a resource type, or undefined when the name is no resource type (memoised for resource types only). */
  resourceBase(resourceType: string): ProfileTree | undefined {
    let base = this.resourceBases.get(resourceType);
    if (base === undefined) {
      const tree = this.baseType(resourceType);
      if (!tree || tree.sd.kind !== 'resource' || !/^[A-Z][A-Za-z]+$/.test(resourceType)) return undefined;
      this.resourceBases.set(resourceType, (base = tree));
    }
    return base;
  }

  /** Whether a name is a resource type. */
  isResourceType(type: string): boolean {
    return this.baseType(type)?.sd.kind === 'resource';
  }

  /** The place of a resource's own elements, one per type (the root of the memoised places). */
  resourcePlace(resourceType: string): ElementPlace {
    let place = this.resourcePlaces.get(resourceType);
    if (!place) this.resourcePlaces.set(resourceType, (place = { path: resourceType, type: resourceType }));
    return place;
  }

  /** Whether a tree is a usable profile of the resource type: walking it covers the base definition. */
  constrains(tree: ProfileTree, resourceType: string): boolean {
    return tree.sd.type === resourceType && tree.sd.derivation === 'constraint' && !this.model.generationIssues(tree.sd.url).length;
  }

  /** A type and the types it derives from (Age, Quantity, Element), memoised: extension contexts and slicing ask often. */
  typeAndAncestors(type: string): string[] {
    let out = this.ancestors.get(type);
    if (!out) {
      out = [type];
      let sd = this.baseType(type)?.sd;
      // an unknown type (named by the input) is not remembered
      if (sd) this.ancestors.set(type, out);
      for (let i = 0; sd?.baseDefinition && i < 10; i++) {
        sd = this.model.tree(sd.baseDefinition)?.sd;
        if (sd) out.push(sd.type);
      }
    }
    return out;
  }

  /** `type` is `expected` or derives from it (Age is a Quantity, Patient a DomainResource). */
  isTypeOrSubtype(type: string, expected: string): boolean {
    return expected === 'Resource' || expected === 'Element' || this.typeAndAncestors(type).includes(expected);
  }

  /** The resource types a Reference's target profiles allow, worked out once per type. */
  targetTypesOf(type: TypeRef): Set<string> {
    let types = this.targetTypes.get(type);
    if (!types) {
      types = new Set(
        type.targetProfiles
          .map((p) => this.model.definition(p)?.type ?? (p.startsWith(FHIR_BASE) ? p.slice(FHIR_BASE.length) : undefined))
          .filter(Boolean) as string[],
      );
      this.targetTypes.set(type, types);
    }
    return types;
  }

  /**
   * The loaded target profiles a target of this resource type must meet one of: those the element
   * names for that type; none when it allows the type's own definition (a Device where
   * `StructureDefinition/Device` is listed beside profiles of other types).
   */
  targetProfilesFor(type: TypeRef, resourceType: string): string[] {
    const ofType = type.targetProfiles.filter((p) => this.model.tree(p)?.sd.type === resourceType);
    return ofType.includes(FHIR_BASE + resourceType) ? [] : ofType;
  }
}
