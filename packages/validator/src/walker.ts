/**
 * The traversal: a resource against the trees it is checked with (its base definition, the
 * profiles asked for and those it claims), each object's properties against the element's
 * children, each value against its value plan. The rules (`rules/`, `resources/`) judge; the walker
 * visits, counts and hands them what they need. Recursion (a nested resource, a value against a
 * profile) comes back here through the context's `revalidation`.
 */
import { isObject, isPlainObject, type Issue, type Json } from '@mes-fhir/core';
import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import type { ElementNode, ProfileTree, TypeRef } from '@mes-fhir/profile-model';
import type { Terminology } from '@mes-fhir/terminology';
import { ValidationContext, type Revalidation } from './context.js';
import { distinct, sortInDocumentOrder } from './issue-order.js';
import { childPlace, objectPlace, type ElementLookup, type ElementPlace, type LookupEntry } from './plans/element-lookup.js';
import type { ProfilePlans } from './plans/profile-plans.js';
import type { ValueCheck, ValuePlan } from './plans/value-plan.js';
import { resourceRuleOf } from './resources/index.js';
import type { AttachmentResolver } from './resources/document-reference.js';
import { BindingRule } from './rules/binding.js';
import { reportArrayShape, reportCount, reportNameOrNull } from './rules/cardinality.js';
import { ExtensionRule } from './rules/extension.js';
import { checkExtensionInvariant, checkInvariants } from './rules/invariants.js';
import { RESOURCE_ID } from './rules/primitives.js';
import { checkReference } from './rules/reference.js';
import { SlicingRule, type SliceItemWalker } from './rules/slicing.js';
import { checkText } from './rules/text.js';
import { checkNarrative } from './rules/narrative.js';
import { checkCoding } from './rules/coding.js';
import { checkAttachmentSize, checkUcum, fixedValueCheck, limitsCheck } from './rules/values.js';
import { VerifiedValue } from './verified-values.js';

/** Nesting deeper than this is reported instead of followed (guards the stack on hostile input). */
const MAX_DEPTH = 64;
const DOCUMENT_CONTENT = /^DocumentReference\.content/;

export interface WalkOptions {
  /** Canonicals of the profiles to check against beyond those the resource claims (resolved). */
  profiles: string[];
  resolveAttachment?: AttachmentResolver;
}

export class Walker implements Revalidation, SliceItemWalker {
  private readonly bindings: BindingRule;
  private readonly slicing: SlicingRule;
  private readonly extensions: ExtensionRule;
  /** Per-object child counts, reused: a walk takes one per object it is inside of, and gives it back zeroed. */
  private readonly countBuffers: Int32Array[] = [];
  /** During one outermost validation: whether a resource met a profile (slicing, references and entries ask again and again). */
  private conformance?: WeakMap<object, Map<string, boolean>>;
  /** Validations under way (1 outside, more while a conformance check validates a resource again). */
  private nesting = 0;

  constructor(
    private readonly plans: ProfilePlans,
    terminology: Terminology,
    private readonly definitions: ResourceIndex,
  ) {
    this.bindings = new BindingRule(terminology);
    this.slicing = new SlicingRule(plans, this);
    this.extensions = new ExtensionRule(plans);
  }

  /** The issues of one resource, each once, in document order. Throws only on a bug of ours (the facade reports it). */
  validate(resource: unknown, options: WalkOptions, ctx = new ValidationContext(this, options.resolveAttachment)): Issue[] {
    this.nesting++;
    try {
      const rootType = isObject(resource) && typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
      try {
        this.walkResource(ctx, resource, rootType, options.profiles, 0);
      } catch (e) {
        // A bug of ours must still give an answer, and say so.
        ctx.report('internal-error', '', String((e as Error)?.message ?? e));
      }
      // Issues are sorted in document order; the order is read only when there is something to sort.
      const issues = ctx.issues.length < 2 ? ctx.issues : sortInDocumentOrder(distinct(ctx.issues), resource, rootType);
      if (ctx.omitted) ctx.issuesOmitted(issues);
      return issues;
    } finally {
      // the conformance memo lives for one outermost validation (made only if a check asks: see meets)
      if (--this.nesting === 0) this.conformance = undefined;
    }
  }

  /** Whether a resource meets a profile (no error against it), asked once per validation. */
  meets(resource: unknown, profile: string, containers: readonly unknown[] = []): boolean {
    const judge = () => {
      const ctx = new ValidationContext(this);
      ctx.resourceStack.push(...containers);
      return !this.validate(resource, { profiles: [profile] }, ctx).some((i) => i.severity === 'error');
    };
    if (!isObject(resource)) return judge();
    const cache = (this.conformance ??= new WeakMap());
    let byProfile = cache.get(resource);
    if (!byProfile) cache.set(resource, (byProfile = new Map()));
    let ok = byProfile.get(profile);
    if (ok === undefined) {
      ok = judge();
      byProfile.set(profile, ok);
    }
    return ok;
  }

  /** Whether a value (a resource or a data type) meets a profile: its type first, then no error against it. */
  conformsTo(value: unknown, type: string | undefined, profile: string): boolean {
    const tree = this.plans.model.tree(this.plans.resolveProfile(profile) ?? profile);
    if (!tree) return false;
    if (type && !this.plans.isTypeOrSubtype(type, tree.sd.type)) return false;
    if (tree.sd.kind === 'resource') return this.meets(value, tree.sd.url);
    if (!isObject(value)) return false;
    const ctx = new ValidationContext(this);
    this.walkValue(ctx, value, tree.root, this.plans.valuePlan(tree.root, this.plans.profileRootType(tree)), tree.sd.type, 0, {
      path: tree.sd.type,
      type: tree.sd.type,
    });
    return !ctx.hasErrors();
  }

  // ---- resources ------------------------------------------------------------

  private walkResource(ctx: ValidationContext, value: unknown, location: string, profiles: string[], depth: number): void {
    if (!isObject(value)) {
      ctx.report('resource-not-object', location, Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value);
      return;
    }
    const resourceType = value.resourceType;
    if (typeof resourceType !== 'string') {
      ctx.report('resource-type-missing', location);
      return;
    }
    const base = this.plans.resourceBase(resourceType);
    if (!base) {
      ctx.report('resource-type-unknown', location, resourceType);
      return;
    }
    const trees = this.treesOf(ctx, value, base, profiles, location);
    const enclosingTargets = ctx.bundleTargets;
    const enclosingInDocument = ctx.inDocument;
    ctx.resourceStack.push(value);
    const rule = resourceRuleOf(resourceType);
    rule?.enter?.(ctx, value, location);
    // A profile's snapshot carries every element, constraint and invariant of the base definition
    // (a profile can only narrow it): when one applies, walking the base as well would only repeat it.
    let profiled = false;
    for (let t = 1; t < trees.length && !profiled; t++) profiled = this.plans.constrains(trees[t]!, resourceType);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      if (tree === base && profiled) continue;
      if (tree.sd.type !== resourceType) {
        ctx.report('profile-wrong-type', location, tree.sd.url, tree.sd.type, resourceType);
        continue;
      }
      this.walkObject(ctx, value, this.plans.lookup(tree.root.children), location, depth, this.plans.resourcePlace(resourceType), true);
      checkInvariants(ctx, this.plans.invariantsOf(tree), value, resourceType, location);
    }
    rule?.check?.(ctx, value, location, this.definitions);
    ctx.bundleTargets = enclosingTargets;
    ctx.inDocument = enclosingInDocument;
    ctx.resourceStack.pop();
  }

  /** The trees a resource is walked against: its base definition, the profiles asked for, and those its meta.profile claims. */
  private treesOf(ctx: ValidationContext, value: Json, base: ProfileTree, profiles: string[], location: string): ProfileTree[] {
    const trees: ProfileTree[] = [base];
    for (let i = 0; i < profiles.length; i++) this.addTree(trees, profiles[i]!);
    const globals = this.plans.globalProfiles(base.sd.type);
    for (let i = 0; i < globals.length; i++) {
      const resolved = this.plans.resolveProfile(globals[i]!);
      if (resolved) this.addTree(trees, resolved);
    }
    const vitalSign = base.sd.type === 'Observation' ? this.plans.vitalSignsProfile(value) : undefined;
    const meta = value.meta;
    if (isObject(meta) && Array.isArray(meta.profile)) {
      const at = `${location}.meta.profile`;
      for (let i = 0; i < meta.profile.length; i++) {
        const claim: unknown = meta.profile[i];
        if (typeof claim !== 'string') continue;
        const resolved = this.plans.resolveProfile(claim);
        if (resolved) this.addTree(trees, resolved);
        else ctx.report('profile-claim-not-loaded', at, claim);
      }
    }
    // a profile that derives from it already holds its rules (MES's measures do)
    if (vitalSign && !trees.some((t) => this.plans.derivesFrom(t, vitalSign))) this.addTree(trees, vitalSign);
    return trees;
  }

  private addTree(trees: ProfileTree[], url: string): void {
    const tree = this.plans.model.tree(url);
    if (tree && !trees.includes(tree)) trees.push(tree);
  }

  /** Profiles an entry or contained resource must meet: the element's type profiles (one of them). */
  private profilesOf(ctx: ValidationContext, value: unknown, type: TypeRef, location: string): string[] {
    const allowed = type.profiles.map((p) => this.plans.resolveProfile(p)).filter((p): p is string => Boolean(p));
    if (allowed.length <= 1) return allowed;
    // "only A or B": the resource meets one of them. Claims in meta.profile are validated anyway.
    const claims: unknown[] = isObject(value) && isObject(value.meta) && Array.isArray(value.meta.profile) ? value.meta.profile : [];
    if (
      claims.some((c) => {
        const resolved = typeof c === 'string' ? this.plans.resolveProfile(c) : undefined;
        return resolved !== undefined && allowed.includes(resolved);
      })
    )
      return [];
    const fitting = allowed.find((p) => this.meets(value, p));
    if (fitting) return [fitting];
    ctx.report('resource-matches-no-profile', location, allowed.join(', '));
    return [];
  }

  // ---- objects ----------------------------------------------------------------

  /**
   * An object's properties against the children that apply to it, then their cardinalities. The
   * loop keeps to the common path; what is rare is handled elsewhere (see PERFORMANCE.md).
   */
  private walkObject(ctx: ValidationContext, obj: Json, lookup: ElementLookup, location: string, depth: number, place: ElementPlace, isResource = false): void {
    if (depth > MAX_DEPTH) {
      ctx.report('too-deep', location, MAX_DEPTH);
      return;
    }
    const { children, byName, counted } = lookup;
    // items seen per child (by index), in a buffer reused across objects (given back zeroed)
    let counts = this.countBuffers.pop();
    if (!counts || counts.length < children.length) counts = new Int32Array(Math.max(64, children.length));
    let hasContent = false;
    // an array where a single value goes: every count is checked at the end
    let arrayOnSingle = false;
    // for…in lists inherited names too, which only objects of another prototype than JSON's can
    // have: those are read through a copy of their own properties
    const own = isPlainObject(obj) ? obj : { ...obj };
    for (const key in own) {
      const value = own[key];
      if (isResource && key === 'resourceType') continue;
      if (key.charCodeAt(0) === 95 /* _ */) {
        if (this.walkCompanion(ctx, key, value, lookup, location, depth, place)) hasContent = true;
        continue;
      }
      const entry = byName.get(key);
      if (entry === undefined || value === null) {
        reportNameOrNull(ctx, entry, key, location);
        continue;
      }
      if (key !== 'id') hasContent = true;
      const index = entry.index;
      const isArray = Array.isArray(value);
      if (isArray !== entry.child.isArray || (isArray && value.length === 0)) {
        if (reportArrayShape(ctx, entry, key, isArray, location)) arrayOnSingle = true;
      }
      // Primitive values never read their place (only objects, extensions and attachments do)
      const valuePlace = entry.primitive ? place : childPlace(entry, place, lookup);
      // a value equal to the last found without issue here needs only counting (see VerifiedValue)
      let verified: VerifiedValue | undefined;
      if (ctx.sliceRecheck === 0) {
        verified = entry.verified ??= new VerifiedValue();
        if (verified.matches(value, valuePlace, depth)) {
          counts[index]! += isArray ? value.length : 1;
          continue;
        }
        if (verified.off) verified = undefined;
      }
      // the value's location is written out only here, where it is walked
      const at = `${location}.${key}`;
      const issuesBefore = ctx.found;
      const readsBefore = ctx.contextReads;
      const plan = (entry.plan ??= this.plans.valuePlan(entry.child, entry.type));
      if (!isArray) {
        counts[index]! += 1;
        this.walkValue(ctx, value, entry.child, plan, at, depth + 1, valuePlace);
        if (entry.sliced) this.slicing.check(ctx, [value], [at], entry.child, at, depth + 1, valuePlace);
      } else {
        counts[index]! += value.length;
        this.walkItems(ctx, obj, value, entry, plan, at, depth, valuePlace);
      }
      // not a primitive array with null items: those are verified or not by its `_name` companion, which is not part of the value
      if (verified !== undefined && ctx.found === issuesBefore && ctx.contextReads === readsBefore && !(entry.primitive && isArray && value.includes(null))) {
        verified.remember(value, valuePlace, depth);
      }
    }
    if (!isResource && !hasContent) ctx.reportKeyed('ele-1', 'element-empty', location);
    const checkAll = arrayOnSingle;
    for (let i = 0, end = checkAll ? children.length : counted.length; i < end; i++) {
      const c = checkAll ? i : counted[i]!;
      const child = children[c]!;
      const n = counts[c]!;
      // one value of a choice cannot be two of its names: the names present are looked at only past one
      if (n >= child.min && n <= child.max && (n <= 1 || lookup.names[c]!.jsonNames.length === 1)) continue;
      reportCount(ctx, obj, lookup, c, n, location);
    }
    for (let c = 0; c < children.length; c++) counts[c] = 0;
    this.countBuffers.push(counts);
  }

  /** A `_name` companion (a primitive's id and extensions): whether it gives the object content. */
  private walkCompanion(
    ctx: ValidationContext,
    key: string,
    value: unknown,
    lookup: ElementLookup,
    location: string,
    depth: number,
    place: ElementPlace,
  ): boolean {
    const at = `${location}.${key}`;
    const base = lookup.byCompanion.get(key);
    if (!base || !base.primitive) {
      ctx.report('unknown-property', at, key);
      return false;
    }
    const primitivePlace = { path: `${place.path}.${base.name}`, type: base.type.code, typePath: `${place.typePath ?? place.path}.${base.name}` };
    const child = base.child;
    if (Array.isArray(value) !== child.isArray) ctx.report(child.isArray ? 'array-expected' : 'array-not-allowed', at, at);
    const items = Array.isArray(value) ? value : [value];
    const elementLookup = this.plans.elementLookup();
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === null && child.isArray) continue;
      if (!isObject(item)) ctx.report('primitive-extension-not-object', at);
      else this.walkObject(ctx, item, elementLookup, Array.isArray(value) ? `${at}[${i}]` : at, depth + 1, primitivePlace);
    }
    return true;
  }

  /** The items of an array value, each at its index (a single value given as an array: at the element's location). */
  private walkItems(
    ctx: ValidationContext,
    obj: Json,
    value: unknown[],
    entry: LookupEntry,
    plan: ValuePlan,
    at: string,
    depth: number,
    place: ElementPlace,
  ): void {
    const child = entry.child;
    const indexed = child.isArray;
    // In a primitive array, null stands for an item whose content is only in the `_key` companion.
    const companion = indexed && entry.primitive ? obj[entry.companion] : undefined;
    const itemLocations = entry.sliced ? (indexed ? value.map((_, i) => `${at}[${i}]`) : value.map(() => at)) : undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null && companion !== undefined && Array.isArray(companion) && isObject(companion[i])) continue;
      this.walkValue(ctx, item, child, plan, itemLocations ? itemLocations[i]! : indexed ? `${at}[${i}]` : at, depth + 1, place);
    }
    if (itemLocations) this.slicing.check(ctx, value, itemLocations, child, at, depth + 1, place);
  }

  // ---- values -------------------------------------------------------------------

  /** One value of an element (`at`: its place): the rules on the value, then its type's content. */
  private walkValue(ctx: ValidationContext, value: unknown, node: ElementNode, plan: ValuePlan, location: string, depth: number, at: ElementPlace): void {
    const checks = (plan.valueChecks ??= this.valueChecks(plan));
    for (let i = 0; i < checks.length; i++) checks[i]!(ctx, value, location);
    if (plan.primitive) {
      // a slice's walk meets values the element's walk has checked as the same type: only its own rules (above) are new
      if (ctx.sliceRecheck > 0) return;
      const problem = plan.primitive(value);
      if (problem) {
        ctx.reportProblem(problem, location);
        return;
      }
      // Resource ids are `id`s, whatever type the R4 snapshot writes for them (System.String with
      // fhir-type string): checked on their own, never behind the text rule of that string type.
      if (plan.resourceId && typeof value === 'string' && !RESOURCE_ID.test(value)) ctx.report('resource-id-invalid', location, value);
      else if (plan.text && typeof value === 'string') {
        if (plan.text === 'xhtml') checkNarrative(ctx, value, location);
        else checkText(ctx, value, plan.text, location, this.plans.settings);
      }
      return;
    }
    if (plan.resource) {
      ctx.contextReads++;
      this.walkResource(ctx, value, location, this.profilesOf(ctx, value, plan.type, location), depth + 1);
      return;
    }
    if (!isObject(value)) {
      ctx.report('not-an-object', location, plan.code);
      return;
    }
    const code = plan.code;
    let definition: ProfileTree | undefined;
    if (code === 'Extension') {
      definition = this.extensions.definitionOf(ctx, value, plan.type, node, location, at);
      checkExtensionInvariant(ctx, value, location);
    }
    const lookup = definition ? this.plans.lookup(definition.root.children) : (plan.lookup ??= this.plans.childrenLookup(plan.typeSlice ?? node, plan.type));
    const place = objectPlace(at, code);
    const issuesBefore = ctx.issues.length;
    this.walkObject(ctx, value, lookup, location, depth, place);
    // A profile may also constrain an extension where it uses it (the ANS glucose profile binds the
    // value of its moment-of-measurement slice): the slice's own children are checked too.
    const slice = plan.typeSlice ?? node;
    if (definition && slice.sliceName && slice.children.length > 0) this.walkObject(ctx, value, this.plans.lookup(slice.children), location, depth, place);
    // UCUM is asked only of a code nothing else refused (its parser is the costliest check of a value)
    if (plan.quantity && !ctx.hasErrorSince(issuesBefore, `${location}.code`)) checkUcum(ctx, value, location);
    // DocumentReference attachments get the fuller document check (size, hash, CDA header)
    if (plan.attachment && !DOCUMENT_CONTENT.test(at.path)) checkAttachmentSize(ctx, value, location);
    if (code === 'Reference') {
      ctx.contextReads++;
      checkReference(ctx, this.plans, value, plan.type, location);
    } else if (code === 'Coding') checkCoding(ctx, this.plans, value, location);
  }

  /** A value plan's rules as the functions of their rule families, once per plan: the walk calls each as one function. */
  private valueChecks(plan: ValuePlan): ValueCheck[] {
    return plan.valueRules.map((rule) =>
      rule.rule === 'binding'
        ? this.bindings.checkFor(plan.type.code, rule.strength, rule.valueSet, rule.alsoAllowed)
        : rule.rule === 'limits'
          ? limitsCheck(rule.limits)
          : fixedValueCheck(rule),
    );
  }

  /** An item of a slice against the slice's own definition (its element's walk has checked it already). */
  walkSliceItem(ctx: ValidationContext, item: unknown, slice: ElementNode, sliced: ElementNode, location: string, depth: number, place: ElementPlace): void {
    const type = slice.types[0] ?? sliced.types[0]!;
    ctx.sliceRecheck++;
    this.walkValue(ctx, item, slice, this.plans.valuePlan(slice, type), location, depth, place);
    ctx.sliceRecheck--;
  }
}
