import { ResourceIndex, loadProjectIndex, type ProjectIndexOptions } from '@mes-fhir/fhir-packages';
import {
  StructureModel,
  discriminatorValues,
  isPrimitiveType,
  jsonNames,
  requiredMetaProfile,
  type ElementNode,
  type ProfileTree,
  type TypeRef,
} from '@mes-fhir/profile-model';
import { Terminology, UCUM_SYSTEM, validateUcum, type CodeValidation } from '@mes-fhir/terminology';
import { attachedBytes } from '@mes-fhir/cda';
import { FhirXml } from '@mes-fhir/xml';
import { checkCapabilityStatement, checkSearchParameter } from './conformance.js';
import { checkDocumentReference, type AttachmentResolver } from './documents.js';
import { typeOfSuffix } from './fastpath.js';
import { EXT_1, extensionHoldsExt1, planInvariants, runInvariants, type InvariantPlan } from './invariants.js';
import { toOperationOutcome, type IssueCode, type IssueSeverity, type OperationOutcome, type ValidationIssue } from './outcome.js';
import { deepEqual, isObject, isPlainObject, matchesPattern, someValueAt, valuesAt } from './patterns.js';
import { PrimitiveChecks } from './primitives.js';
import { CleanValue } from './clean-values.js';

export interface ValidateOptions {
  /** Validate against this profile too (canonical; an MES canonical resolves to our profile). */
  profile?: string;
  /**
   * The bytes of a DocumentReference attachment that carries no data (its document is elsewhere,
   * e.g. a CDA file given beside it), so that it is checked as if inline.
   */
  resolveAttachment?: AttachmentResolver;
}

/** Options of `Validator.load`: the project's package set, plus `extraLayers` of definitions. */
export type ValidatorLoadOptions = ProjectIndexOptions;

/** Nesting deeper than this is reported instead of followed (guards the stack on hostile input). */
const MAX_DEPTH = 64;
const FHIR_BASE = 'http://hl7.org/fhir/StructureDefinition/';
const SYSTEM_STRING = 'http://hl7.org/fhirpath/System.String';
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The FHIR type of an element typed System.String (ids, Extension.url): its fhir-type extension. */
function fhirTypeOf(node: ElementNode): string {
  const ext = (node.def.type?.[0]?.extension as Array<{ url: string; valueUrl?: string }> | undefined)?.find((e) => e.url === FHIR_TYPE_EXTENSION);
  return ext?.valueUrl ?? 'string';
}
const REFERENCE_FORMAT = /^(#.*|urn:uuid:[0-9a-fA-F-]{36}|urn:oid:[0-2](\.(0|[1-9][0-9]*))+|([A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?|[a-z][a-z0-9+.-]*:.+)$/;

interface Walk {
  /** Issues as found; the same issue found twice (by the base walk and a slice's) is dropped at the end (`distinct`). */
  issues: ValidationIssue[];
  /** Above 0 inside a slice's walk of items the element's own walk has already checked. */
  again: number;
  /** Counts the checks that read more than a value and its place (references, resources, discriminator paths): see CleanValue. */
  contextual: number;
  /** Resources of the enclosing Bundle by fullUrl and by Type/id, for reference checks. */
  bundleTargets?: Map<string, Record<string, unknown>>;
  /** The enclosing Bundle is a document: its references must resolve inside it. */
  inDocument?: boolean;
  rootResource: unknown;
  /** The resource being walked (for contained references). */
  currentResource?: unknown;
  /** The resources being walked, outermost first: a contained resource's `#id` resolves in its container. */
  resourceStack: unknown[];
  resolveAttachment?: AttachmentResolver;
}

/** The checks of one element's values with one type, worked out once (see `valuePlan`). */
interface ValuePlan {
  type: TypeRef;
  typeSlice?: ElementNode;
  checks: Array<(value: unknown, location: string, walk: Walk) => void>;
  /** The FHIR type (an element typed System.String: its fhir-type extension). */
  code: string;
  primitive?: (value: unknown) => string | undefined;
  text?: 'string' | 'markdown';
  /** The id of a resource (checked as an `id`, whatever type the snapshot writes). */
  resourceId: boolean;
  /** The value is a resource (contained, a Bundle entry). */
  resource: boolean;
  /** A Quantity or a type derived from it: its UCUM code is checked. */
  quantity: boolean;
  /** The lookup of an object value's children (not of an extension, whose definition its url chooses), once known. */
  lookup?: Lookup;
}

/** Where an object sits in the resource: its FHIR element path and type (for extension contexts). */
interface Host {
  path: string;
  type: string;
  /** The path from the nearest enclosing data type (`Address.line` inside Organization.address), for data-type contexts; undefined: the same as `path`. */
  typePath?: string;
  /** Memo keys: the host this one was made under (a child's), and the host of an object value here by its type. */
  parent?: Host;
  inner?: Host;
}

/** What the walk needs of one JSON name of a child, worked out once per set of children. */
interface LookupEntry {
  child: ElementNode;
  type: TypeRef;
  index: number;
  /** The child's type is a primitive: no host object, a `_name` companion may carry its extensions. */
  primitive: boolean;
  /** The child is sliced (not a choice's type slices): its items are matched to slices. */
  sliced: boolean;
  /** The check of one value with this type, once known (see `valuePlan`). */
  plan?: ValuePlan;
  /** The host of its last values, for the parent host it was made under (see Host.parent). */
  host?: Host;
  /** The JSON name, and its `_name` companion (kept: a name built per property would be hashed per lookup). */
  name: string;
  companion: string;
  /** The last value of an object child found clean here, whose walk a value equal to it skips. */
  clean?: CleanValue;
}

interface Lookup {
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

/**
 * Validates FHIR R4 JSON against StructureDefinition snapshots: structure, cardinality, fixed and
 * pattern values, slicing, extensions, bindings, FHIRPath invariants and references. Each profile
 * is compiled on first use and kept. `validate` never throws: any input gets an OperationOutcome.
 */
export class Validator {
  readonly model: StructureModel;
  readonly terminology: Terminology;
  private readonly primitives: PrimitiveChecks;
  private readonly invariantPlans = new Map<string, InvariantPlan>();
  private readonly lookups = new WeakMap<ElementNode[], Lookup>();
  private readonly sliceMatchers = new WeakMap<ElementNode, Array<{ slice: ElementNode; values: Array<{ value: unknown; steps: string[] } | undefined> }>>();
  /** value set → system → code → display → result; `size` counts the results of one value set. */
  private readonly codeResults = new Map<string, { size: number; bySystem: Map<string, Map<string, Map<string, CodeValidation>>> }>();
  private readonly baseTypes = new Map<string, ProfileTree>();
  private readonly resourceBases = new Map<string, ProfileTree>();
  private readonly resourceHosts = new Map<string, Host>();
  /** Extension url → why it may not sit at a host ('' when it may), per host (hosts are memoised; others are let go). */
  private readonly contextVerdicts = new WeakMap<Host, Map<string, string>>();
  private readonly resolvedProfiles = new Map<string, string | undefined>();
  private readonly ancestors = new Map<string, string[]>();
  private readonly valuePlans = new WeakMap<ElementNode, Map<TypeRef, ValuePlan>>();
  private readonly targetTypes = new WeakMap<TypeRef, Set<string>>();
  private readonly primitiveSliceIndexes = new WeakMap<ElementNode, { steps: string[]; first: Map<unknown, number> } | null>();
  private readonly profileRootTypes = new WeakMap<ProfileTree, TypeRef>();
  /** Per-object child counts, reused: a walk takes one per object it is inside of, and gives it back zeroed. */
  private readonly countBuffers: Int32Array[] = [];
  /** During one validation: whether a resource met a profile (slicing, references and entries ask again and again). */
  private conformance?: WeakMap<object, Map<string, boolean>>;
  /** Validations under way (1 outside, more while a profile check validates a resource again). */
  private nesting = 0;
  private mesCanonicals?: Map<string, string>;
  private xmlConverter?: FhirXml;

  constructor(
    readonly index: ResourceIndex,
    /** Labels of the layers whose profiles may be required by an MES canonical (our generated output, --load). */
    private readonly ownLayers: string[] = ['generated'],
  ) {
    this.model = new StructureModel(index);
    this.terminology = new Terminology(index);
    this.primitives = new PrimitiveChecks(this.model);
  }

  /**
   * Loads the definitions and the FHIR packages they need (installed into the FHIR package cache
   * on first use, from `mirror`/FHIR_PACKAGE_MIRROR or the registry), plus `extraLayers`. Without
   * `projectDir`/`generatedDir`: `./generated/fhir` when the working directory holds a codegen
   * output, else the definitions bundled in @mes-fhir/definitions.
   */
  static async load(options: ProjectIndexOptions = {}): Promise<Validator> {
    const { index } = await loadProjectIndex(options);
    return new Validator(index, ['generated', ...(options.extraLayers ?? []).map((l) => l.label)]);
  }

  /** MES canonical → our profile that requires it (the rule codegen's registry uses). */
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
    const url = canonical.split('|')[0]!;
    const mapped = this.mesCanonicals.get(url);
    const resolved = this.model.tree(url) ? url : mapped && this.model.tree(mapped) ? mapped : undefined;
    // every resource claims its profile: resolved once per canonical (bounded against hostile claims)
    if (this.resolvedProfiles.size >= 1000) this.resolvedProfiles.clear();
    this.resolvedProfiles.set(canonical, resolved);
    return resolved;
  }

  /** Validates one resource; never throws. */
  validate(resource: unknown, options: ValidateOptions = {}): OperationOutcome {
    return toOperationOutcome(this.validateToIssues(resource, options));
  }

  /**
   * Validates every resource of an iterable or async iterable (a stream of NDJSON lines parsed,
   * a database cursor…), one at a time and in order: memory does not grow with the input.
   */
  async *validateAll(resources: AsyncIterable<unknown> | Iterable<unknown>, options: ValidateOptions = {}): AsyncGenerator<OperationOutcome> {
    for await (const resource of resources) yield this.validate(resource, options);
  }

  /** FHIR XML ↔ JSON with the loaded definitions (`@mes-fhir/xml`). */
  get xml(): FhirXml {
    return (this.xmlConverter ??= new FhirXml(this.model));
  }

  /**
   * Validates a resource written in FHIR XML: read into JSON with the loaded definitions, then
   * validated as JSON, so that locations read the same (`Observation.valueQuantity.code`).
   * Never throws: XML that cannot be read is one fatal issue.
   */
  validateXml(text: string, options: ValidateOptions = {}): OperationOutcome {
    const read = this.xml.fromXml(text);
    if (!read.ok) return toOperationOutcome([{ severity: 'fatal', code: 'structure', location: '', message: read.error }]);
    return this.validate(read.resource, options);
  }

  validateToIssues(resource: unknown, options: ValidateOptions = {}): ValidationIssue[] {
    this.nesting++;
    try {
      return this.issuesOf(resource, options);
    } finally {
      // the conformance memo lives for one outermost validation (made only if a check asks: see meets)
      if (--this.nesting === 0) this.conformance = undefined;
    }
  }

  /** Whether a resource meets a profile (no error against it), asked once per validation. */
  private meets(resource: unknown, profile: string): boolean {
    if (!isObject(resource)) return !this.validateToIssues(resource, { profile }).some((i) => i.severity === 'error');
    const cache = (this.conformance ??= new WeakMap());
    let byProfile = cache.get(resource);
    if (!byProfile) cache.set(resource, (byProfile = new Map()));
    let ok = byProfile.get(profile);
    if (ok === undefined) {
      ok = !this.validateToIssues(resource, { profile }).some((i) => i.severity === 'error');
      byProfile.set(profile, ok);
    }
    return ok;
  }

  private issuesOf(resource: unknown, options: ValidateOptions): ValidationIssue[] {
    const walk: Walk = { issues: [], again: 0, contextual: 0, rootResource: resource, resourceStack: [], resolveAttachment: options.resolveAttachment, bundleTargets: undefined, inDocument: undefined, currentResource: undefined };
    try {
      const explicit: string[] = [];
      if (options.profile) {
        const resolved = this.resolveProfile(options.profile);
        if (resolved) explicit.push(resolved);
        else this.report(walk, 'error', 'not-found', '', `profile ${options.profile} is not loaded`);
      }
      const rootType = isObject(resource) && typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
      this.validateResource(resource, rootType, explicit, walk, 0);
    } catch (e) {
      // A bug of ours must still give an answer, and say so.
      this.report(walk, 'fatal', 'processing', '', `internal validator error: ${(e as Error)?.message ?? String(e)}`);
    }
    // Issues are sorted in document order; the order is read only when there is something to sort.
    if (walk.issues.length < 2) return walk.issues;
    const rootType = isObject(resource) && typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
    return sortInDocumentOrder(distinct(walk.issues), resource, rootType);
  }

  // -------------------------------------------------------------------------

  private report(walk: Walk, severity: IssueSeverity, code: IssueCode, location: string, message: string, key?: string): void {
    // one shape for every issue (key undefined when none): code that reads issues sees a single map
    walk.issues.push({ severity, code, location, message, key: key || undefined });
  }

  private validateResource(value: unknown, location: string, profiles: string[], walk: Walk, depth: number): void {
    if (!isObject(value)) {
      this.report(walk, 'error', 'structure', location, `a resource must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
      return;
    }
    const resourceType = value.resourceType;
    if (typeof resourceType !== 'string') {
      this.report(walk, 'error', 'required', location, 'resourceType is missing or not a string');
      return;
    }
    const base = this.resourceBase(resourceType);
    if (!base) {
      this.report(walk, 'error', 'structure', location, `unknown resource type "${resourceType.slice(0, 100)}"`);
      return;
    }
    const trees = this.treesOf(value, base, profiles, location, walk);
    const previousTargets = walk.bundleTargets;
    const previousInDocument = walk.inDocument;
    const previousResource = walk.currentResource;
    walk.currentResource = value;
    walk.resourceStack.push(value);
    if (resourceType === 'Bundle') this.enterBundle(value, location, walk);
    // A profile's snapshot carries every element, constraint and invariant of the base definition
    // (a profile can only narrow it): when one applies, walking the base as well would only repeat it.
    let profiled = false;
    for (let t = 1; t < trees.length && !profiled; t++) profiled = this.constrains(trees[t]!, resourceType);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      if (tree === base && profiled) continue;
      if (tree.sd.type !== resourceType) {
        this.report(walk, 'error', 'structure', location, `profile ${tree.sd.url} is for ${tree.sd.type}, not ${resourceType}`);
        continue;
      }
      this.walkObject(value, this.lookup(tree.root.children), location, walk, depth, this.resourceHost(resourceType), true);
      const failures = runInvariants(this.invariantsOf(tree), value, { resource: value, rootResource: walk.rootResource });
      if (failures.length > 0) this.reportInvariants(failures, resourceType, location, walk);
    }
    if (resourceType === 'SearchParameter' || resourceType === 'CapabilityStatement' || resourceType === 'DocumentReference') this.checkResourceRules(value, resourceType, location, walk);
    walk.bundleTargets = previousTargets;
    walk.inDocument = previousInDocument;
    walk.currentResource = previousResource;
    walk.resourceStack.pop();
  }

  /** The trees a resource is walked against: its base definition, the profiles asked for, and those its meta.profile claims. */
  private treesOf(value: Record<string, unknown>, base: ProfileTree, profiles: string[], location: string, walk: Walk): ProfileTree[] {
    const trees: ProfileTree[] = [base];
    for (let i = 0; i < profiles.length; i++) this.addTree(trees, profiles[i]!);
    const meta = value.meta;
    if (isObject(meta) && Array.isArray(meta.profile)) {
      for (let i = 0; i < meta.profile.length; i++) {
        const claim: unknown = meta.profile[i];
        if (typeof claim !== 'string') continue;
        const resolved = this.resolveProfile(claim);
        if (resolved) this.addTree(trees, resolved);
        else this.report(walk, 'warning', 'not-found', `${location}.meta.profile`, `profile ${claim} is not loaded, so the resource was not checked against it`);
      }
    }
    return trees;
  }

  /** A Bundle's entries are the targets of its references; its fullUrls and ids are checked once. */
  private enterBundle(value: Record<string, unknown>, location: string, walk: Walk): void {
    walk.bundleTargets = bundleTargets(value);
    walk.inDocument = value.type === 'document';
    this.checkFullUrls(value, location, walk);
    this.checkDuplicateIds(value, location, walk);
  }

  private reportInvariants(failures: ReturnType<typeof runInvariants>, resourceType: string, location: string, walk: Walk): void {
    for (let i = 0; i < failures.length; i++) {
      const f = failures[i]!;
      const at = location === resourceType ? f.location : f.location.replace(/^[A-Za-z]+/, location);
      if (f.error) this.report(walk, 'warning', 'processing', at, `${f.constraint.key} could not be evaluated: ${f.error}`, f.constraint.key);
      else this.report(walk, f.constraint.severity, 'invariant', at, `${f.constraint.key}: ${f.constraint.human}`, f.constraint.key);
    }
  }

  /** The rules of a few resource types beyond their definitions (search parameters, documents). */
  private checkResourceRules(value: Record<string, unknown>, resourceType: string, location: string, walk: Walk): void {
    if (resourceType === 'SearchParameter' || resourceType === 'CapabilityStatement') {
      const check = resourceType === 'SearchParameter' ? checkSearchParameter : checkCapabilityStatement;
      check(value, location, (url) => this.findSearchParameter(url, walk), (severity, code, at, message) => this.report(walk, severity, code, at, message));
    }
    if (resourceType === 'DocumentReference') {
      checkDocumentReference(value, location, (severity, code, at, message) => this.report(walk, severity, code, at, message), (attachment) => this.attachmentBytes(attachment, walk));
    }
  }

  /** The base definition of a resource type, or undefined when the name is no resource type (memoised for resource types only). */
  private resourceBase(resourceType: string): ProfileTree | undefined {
    let base = this.resourceBases.get(resourceType);
    if (base === undefined) {
      const tree = this.baseType(resourceType);
      if (!tree || tree.sd.kind !== 'resource' || !/^[A-Z][A-Za-z]+$/.test(resourceType)) return undefined;
      this.resourceBases.set(resourceType, (base = tree));
    }
    return base;
  }

  /** Adds a profile's tree to those a resource is walked against, once. */
  private addTree(trees: ProfileTree[], url: string): void {
    const tree = this.model.tree(url);
    if (tree && !trees.includes(tree)) trees.push(tree);
  }

  /** Whether a tree is a usable profile of the resource type: walking it covers the base definition. */
  private constrains(tree: ProfileTree, resourceType: string): boolean {
    return tree.sd.type === resourceType && tree.sd.derivation === 'constraint' && !this.model.generationIssues(tree.sd.url).length;
  }

  /** A SearchParameter by canonical: the loaded definitions, else an entry of the enclosing Bundle. */
  private findSearchParameter(url: string, walk: Walk): Record<string, unknown> | undefined {
    const canonical = url.split('|')[0]!;
    const loaded = this.index.resolveOfType<Record<string, unknown>>(canonical, 'SearchParameter');
    if (loaded) return loaded;
    for (const target of walk.bundleTargets?.values() ?? []) if (target.resourceType === 'SearchParameter' && target.url === canonical) return target;
    return undefined;
  }

  /**
   * The document of an attachment that carries no data: the Binary of the enclosing Bundle that
   * its url names (ITI-65), else what the caller resolves (`resolveAttachment`, e.g. `--cda`).
   */
  private attachmentBytes(attachment: { url?: string; contentType?: string }, walk: Walk): Uint8Array | undefined {
    const binary = attachment.url ? walk.bundleTargets?.get(attachment.url) : undefined;
    if (binary?.resourceType === 'Binary') return attachedBytes({ data: binary.data });
    return walk.resolveAttachment?.(attachment);
  }

  /** An entry whose fullUrl is a RESTful URL must name the resource it holds (type and id). */
  private checkFullUrls(bundle: Record<string, unknown>, location: string, walk: Walk): void {
    if (!Array.isArray(bundle.entry)) return;
    bundle.entry.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry.fullUrl !== 'string' || !isObject(entry.resource)) return;
      const m = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(entry.fullUrl);
      const { resourceType, id } = entry.resource;
      if (!m || !/^https?:/.test(entry.fullUrl) || typeof id !== 'string') return;
      if (m[1] !== resourceType || m[2] !== id) {
        this.report(walk, 'error', 'invalid', `${location}.entry[${i}].fullUrl`, `fullUrl ${entry.fullUrl} does not match the entry's resource ${String(resourceType)}/${id}`);
      }
    });
  }

  /**
   * Two entries may not hold the same resource (type and id), except in a history Bundle or as
   * distinct versions (meta.versionId), as the Java validator checks.
   */
  private checkDuplicateIds(bundle: Record<string, unknown>, location: string, walk: Walk): void {
    if (!Array.isArray(bundle.entry) || bundle.type === 'history') return;
    const seen = new Map<string, number>();
    bundle.entry.forEach((entry, i) => {
      if (!isObject(entry) || !isObject(entry.resource)) return;
      const { resourceType, id, meta } = entry.resource;
      if (typeof resourceType !== 'string' || typeof id !== 'string') return;
      const version = isObject(meta) && typeof meta.versionId === 'string' ? meta.versionId : '';
      const key = `${resourceType}/${id}|${version}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else this.report(walk, 'error', 'invalid', `${location}.entry[${i}].resource.id`, `duplicate resource ${resourceType}/${id} in the Bundle (also entry[${first}])`);
    });
  }

  private invariantsOf(tree: ProfileTree): InvariantPlan {
    let plan = this.invariantPlans.get(tree.sd.url);
    if (!plan) {
      plan = planInvariants(this.model, tree);
      this.invariantPlans.set(tree.sd.url, plan);
    }
    return plan;
  }

  private lookup(children: ElementNode[]): Lookup {
    let l = this.lookups.get(children);
    if (!l) {
      l = { children, byName: new Map(), byCompanion: new Map(), names: [], counted: [] };
      children.forEach((child, index) => {
        const names = jsonNames(child);
        const sliced = child.slices.length > 0 && Boolean(child.slicing) && !child.name.endsWith('[x]');
        for (const v of names) {
          const entry: LookupEntry = { child, type: v.type, index, primitive: isPrimitiveType(v.type.code), sliced, name: v.name, companion: `_${v.name}` };
          l!.byName.set(v.name, entry);
          l!.byCompanion.set(entry.companion, entry);
        }
        l!.names.push({ fhirName: child.name.replace('[x]', ''), jsonNames: names.map((n) => n.name) });
        if (child.min > 0 || child.max === 0 || (child.isArray && child.max !== Infinity) || names.length > 1) l!.counted.push(index);
      });
      this.lookups.set(children, l);
    }
    return l;
  }

  /** The host of a resource's own elements, one per type (the root of the memoised hosts). */
  private resourceHost(resourceType: string): Host {
    let host = this.resourceHosts.get(resourceType);
    if (!host) this.resourceHosts.set(resourceType, (host = { path: resourceType, type: resourceType }));
    return host;
  }

  /**
   * A base type's tree by code, memoised (the model builds a canonical per call). Unknown codes are
   * not remembered: inputs name any number of them (resourceType, a reference's type).
   */
  private baseType(code: string): ProfileTree | undefined {
    let tree = this.baseTypes.get(code);
    if (tree === undefined) {
      tree = this.model.typeTree(code);
      if (tree) this.baseTypes.set(code, tree);
    }
    return tree;
  }

  /**
   * Checks an object's properties against the children that apply to it, then their cardinalities.
   * The loop keeps to the common path; what is rare (companions, unknown names, nulls, arrays, a
   * count out of bounds) is handled in methods of its own: a small function is optimised sooner by
   * V8, and a first error elsewhere does not throw its optimised code away.
   */
  private walkObject(obj: Record<string, unknown>, lookup: Lookup, location: string, walk: Walk, depth: number, host: Host, isResource = false): void {
    if (depth > MAX_DEPTH) {
      this.report(walk, 'error', 'structure', location, `nesting deeper than ${MAX_DEPTH} levels is not followed`);
      return;
    }
    const { children, byName, counted } = lookup;
    // items seen per child (by index), in a buffer reused across objects (given back zeroed)
    let counts = this.countBuffers.pop();
    if (!counts || counts.length < children.length) counts = new Int32Array(Math.max(64, children.length));
    let hasContent = false;
    // an array where a single value goes: every count is checked at the end
    let arrayOnSingle = false;
    // for…in rather than Object.keys: V8 reads each value through the object's enum cache (no keys
    // array, no generic lookup by name). It also lists inherited names, which only objects of another
    // prototype than JSON's can have: those are read through a copy of their own properties.
    const own = isPlainObject(obj) ? obj : { ...obj };
    for (const key in own) {
      const value = own[key];
      if (isResource && key === 'resourceType') continue;
      if (key.charCodeAt(0) === 95 /* _ */) {
        if (this.walkCompanion(key, value, lookup, location, walk, depth, host)) hasContent = true;
        continue;
      }
      const entry = byName.get(key);
      if (entry === undefined || value === null) {
        this.reportNameOrNull(entry, key, location, walk);
        continue;
      }
      if (key !== 'id') hasContent = true;
      const index = entry.index;
      const isArray = Array.isArray(value);
      if (isArray !== entry.child.isArray || (isArray && value.length === 0)) {
        if (this.reportArrayShape(entry, key, isArray, location, walk)) arrayOnSingle = true;
      }
      // Primitive values never read their host (only objects, extensions and attachments do): no host for them.
      const childHost = entry.primitive ? host : this.childHost(entry, host, lookup);
      // a value equal to the last found clean here needs only counting (see CleanValue)
      let clean: CleanValue | undefined;
      if (walk.again === 0) {
        clean = entry.clean ??= new CleanValue();
        if (clean.matches(value, childHost, depth)) {
          counts[index]! += isArray ? value.length : 1;
          continue;
        }
        if (clean.off) clean = undefined;
      }
      // the value's location is written out only here, where it is walked: not for a value found clean before
      const at = `${location}.${key}`;
      const issuesBefore = walk.issues.length;
      const contextualBefore = walk.contextual;
      const plan = (entry.plan ??= this.valuePlan(entry.child, entry.type));
      if (!isArray) {
        // the common case: one value, at the element's own location
        counts[index]! += 1;
        this.walkValue(value, entry.child, plan, at, walk, depth + 1, childHost);
        if (entry.sliced) this.checkSlices([value], [at], entry.child, at, walk, depth + 1, childHost);
      } else {
        counts[index]! += value.length;
        this.walkItems(obj, value, entry, plan, at, walk, depth, childHost);
      }
      // not a primitive array with null items: those are clean or not by its `_name` companion, which is not part of the value
      if (clean !== undefined && walk.issues.length === issuesBefore && walk.contextual === contextualBefore && !(entry.primitive && isArray && value.includes(null))) {
        clean.remember(value, childHost, depth);
      }
    }
    if (!isResource && !hasContent) this.report(walk, 'error', 'invariant', location, 'ele-1: All FHIR elements must have a @value or children', 'ele-1');
    const checkAll = arrayOnSingle;
    for (let i = 0, end = checkAll ? children.length : counted.length; i < end; i++) {
      const c = checkAll ? i : counted[i]!;
      const child = children[c]!;
      const n = counts[c]!;
      // one value of a choice cannot be two of its names: the names present are looked at only past one
      if (n >= child.min && n <= child.max && (n <= 1 || lookup.names[c]!.jsonNames.length === 1)) continue;
      this.reportCount(obj, lookup, c, n, location, walk);
    }
    for (let c = 0; c < children.length; c++) counts[c] = 0;
    this.countBuffers.push(counts);
  }

  /** A `_name` companion (a primitive's id and extensions): whether it gives the object content. */
  private walkCompanion(key: string, value: unknown, lookup: Lookup, location: string, walk: Walk, depth: number, host: Host): boolean {
    const at = `${location}.${key}`;
    const base = lookup.byCompanion.get(key);
    if (!base || !base.primitive) {
      this.report(walk, 'error', 'structure', at, `unknown property "${key}"`);
      return false;
    }
    this.walkPrimitiveExtension(value, base.child, at, walk, depth, { path: `${host.path}.${base.name}`, type: base.type.code, typePath: `${host.typePath ?? host.path}.${base.name}` });
    return true;
  }

  private reportNameOrNull(entry: LookupEntry | undefined, key: string, location: string, walk: Walk): void {
    if (!entry) this.report(walk, 'error', 'structure', `${location}.${key}`, `unknown property "${key.length > 100 ? `${key.slice(0, 100)}…` : key}"`);
    else this.report(walk, 'error', 'structure', `${location}.${key}`, 'null is not allowed in FHIR JSON');
  }

  /** A single value where an array goes, an empty array, or an array where a single value goes (true: then every count is checked). */
  private reportArrayShape(entry: LookupEntry, key: string, isArray: boolean, location: string, walk: Walk): boolean {
    if (!isArray) this.report(walk, 'error', 'structure', `${location}.${key}`, `"${key}" must be an array`);
    else if (entry.child.isArray) this.report(walk, 'error', 'structure', `${location}.${key}`, 'arrays must not be empty');
    else {
      this.report(walk, 'error', 'structure', `${location}.${key}`, `"${key}" must be a single value, not an array`);
      return true;
    }
    return false;
  }

  /**
   * The host of an object child. Hosts are memoised by their parent host (itself memoised): the same
   * place gets the same object, no strings built. typePath stays undefined while it equals the path
   * (outside data types): one string less per property.
   */
  private childHost(entry: LookupEntry, host: Host, lookup: Lookup): Host {
    let memo = entry.host;
    if (memo === undefined || memo.parent !== host) {
      const fhirName = lookup.names[entry.index]!.fhirName;
      memo = entry.host = { path: `${host.path}.${fhirName}`, type: host.type, typePath: host.typePath === undefined ? undefined : `${host.typePath}.${fhirName}`, parent: host };
    }
    return memo;
  }

  /** The items of an array value, each at its index (a single value given as an array: at the element's location). */
  private walkItems(obj: Record<string, unknown>, value: unknown[], entry: LookupEntry, plan: ValuePlan, at: string, walk: Walk, depth: number, childHost: Host): void {
    const child = entry.child;
    const indexed = child.isArray;
    // In a primitive array, null stands for an item whose content is only in the `_key` companion.
    const companion = indexed && entry.primitive ? obj[entry.companion] : undefined;
    const itemLocations = entry.sliced ? (indexed ? value.map((_, i) => `${at}[${i}]`) : value.map(() => at)) : undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null && companion !== undefined && Array.isArray(companion) && isObject(companion[i])) continue;
      this.walkValue(item, child, plan, itemLocations ? itemLocations[i]! : indexed ? `${at}[${i}]` : at, walk, depth + 1, childHost);
    }
    if (itemLocations) this.checkSlices(value, itemLocations, child, at, walk, depth + 1, childHost);
  }

  /** A count out of a child's bounds, or two names of one choice. */
  private reportCount(obj: Record<string, unknown>, lookup: Lookup, c: number, n: number, location: string, walk: Walk): void {
    const child = lookup.children[c]!;
    const jsonNamesOfChild = lookup.names[c]!.jsonNames;
    const present = Object.keys(obj).filter((k) => jsonNamesOfChild.includes(k) && obj[k] !== null);
    if (present.length > 1) this.report(walk, 'error', 'structure', `${location}.${present[1]}`, `only one of ${present.join(', ')} is allowed (${child.name})`);
    if (n < child.min) this.report(walk, 'error', 'required', `${location}.${child.name.replace('[x]', '')}`, `${child.path}: minimum required = ${child.min}, but only found ${n}`);
    if (n > child.max) {
      const at = `${location}.${present[0] ?? child.name}`;
      this.report(walk, 'error', 'structure', at, child.max === 0 ? `${child.path} is not allowed in this profile` : `${child.path}: maximum allowed = ${child.max}, but found ${n}`);
    }
  }

  private walkPrimitiveExtension(value: unknown, child: ElementNode, at: string, walk: Walk, depth: number, host: Host): void {
    const elementChildren = this.lookup(this.baseType('Element')?.root.children ?? []);
    const items = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) !== child.isArray) this.report(walk, 'error', 'structure', at, child.isArray ? `"${at}" must be an array` : `"${at}" must not be an array`);
    items.forEach((item, i) => {
      if (item === null && child.isArray) return;
      if (!isObject(item)) this.report(walk, 'error', 'structure', at, 'a primitive extension must be an object');
      else this.walkObject(item, elementChildren, Array.isArray(value) ? `${at}[${i}]` : at, walk, depth + 1, host);
    });
  }

  /**
   * What checking a value of an element with a given type takes, worked out once per element and
   * type (the compiled part of the walk): its type slice, the fixed/pattern, binding and limit
   * checks that apply, and its type's primitive check.
   */
  private valuePlan(node: ElementNode, type: TypeRef): ValuePlan {
    let byType = this.valuePlans.get(node);
    if (!byType) this.valuePlans.set(node, (byType = new Map()));
    let plan = byType.get(type);
    if (plan) return plan;
    const typeSlice = node.name.endsWith('[x]') ? node.slices.find((s) => s.types.length === 1 && s.types[0]!.code === type.code) : undefined;
    const defs = typeSlice ? [node, typeSlice] : [node];
    const checks: ValuePlan['checks'] = [];
    for (const def of defs) {
      const fixed = def.fixed;
      if (fixed) {
        const expected = JSON.stringify(fixed.value);
        checks.push((value, location, walk) => {
          const ok = fixed.kind === 'fixed' ? deepEqual(value, fixed.value) : matchesPattern(value, fixed.value);
          if (!ok) this.report(walk, 'error', 'value', location, `value must ${fixed.kind === 'fixed' ? 'be exactly' : 'match'} ${expected}`);
        });
      }
      const binding = def.binding;
      if (binding && (binding.strength === 'required' || binding.strength === 'extensible') && binding.valueSet) {
        const valueSet = binding.valueSet;
        checks.push((value, location, walk) => this.checkBinding(value, type.code, binding.strength, valueSet, location, walk));
      }
    }
    for (const def of defs) {
      const limits = readLimits(def);
      if (limits) checks.push((value, location, walk) => checkLimits(value, limits, (message) => this.report(walk, 'error', 'value', location, message)));
    }
    const code = type.code === SYSTEM_STRING ? fhirTypeOf(node) : type.code;
    const primitive = isPrimitiveType(code) ? this.primitives.get(code) : undefined;
    plan = {
      type,
      typeSlice,
      checks,
      code,
      primitive,
      text: code === 'string' || code === 'markdown' ? code : undefined,
      resourceId: node.name === 'id' && node.parent === node.tree.root && node.path.split('.').length === 2 && node.tree.sd.kind === 'resource',
      resource: code === 'Resource' || this.baseType(code)?.sd.kind === 'resource',
      quantity: code === 'Quantity' || this.baseType(code)?.sd.type === 'Quantity',
    };
    byType.set(type, plan);
    return plan;
  }

  /** One value of an element: fixed/pattern, binding, then its type's content. */
  /** `at` is the element's place: its FHIR path (Observation.code) and the type of its parent. */
  private walkValue(value: unknown, node: ElementNode, plan: ValuePlan, location: string, walk: Walk, depth: number, at: Host): void {
    const type = plan.type;
    // indexed loops on the hot paths: until V8 optimises them (most of a first pass), for…of costs an iterator per loop
    const checks = plan.checks;
    for (let i = 0; i < checks.length; i++) checks[i]!(value, location, walk);
    const { code, typeSlice } = plan;
    if (plan.primitive) {
      // a slice's walk meets values the element's walk has checked as the same type: only its own rules (above) are new
      if (walk.again > 0) return;
      const problem = plan.primitive(value);
      if (problem) {
        this.report(walk, 'error', 'value', location, problem);
        return;
      }
      // Resource ids are `id`s, whatever type the R4 snapshot writes for them (System.String with
      // fhir-type string): checked on their own, never behind the text rule of that string type.
      if (plan.resourceId && typeof value === 'string' && !RESOURCE_ID.test(value)) {
        this.report(walk, 'error', 'value', location, `invalid resource id "${value.slice(0, 80)}": 1 to 64 letters, digits, '-' or '.'`);
      } else if (plan.text && typeof value === 'string') this.checkText(value, plan.text, location, walk);
      return;
    }
    if (plan.resource) {
      walk.contextual++;
      this.validateResource(value, location, this.profilesOf(value, type, location, walk), walk, depth + 1);
      return;
    }
    if (!isObject(value)) {
      this.report(walk, 'error', 'structure', location, `${code} must be a JSON object`);
      return;
    }
    let definition: ProfileTree | undefined;
    if (code === 'Extension') {
      definition = this.extensionDefinition(value, type, node, location, walk, at);
      if (!extensionHoldsExt1(value)) this.report(walk, 'error', 'invariant', location, `${EXT_1.key}: ${EXT_1.human}`, EXT_1.key);
    }
    const lookup = definition ? this.lookup(definition.root.children) : (plan.lookup ??= this.lookup(this.model.childrenFor(typeSlice ?? node, type)));
    // inside a data type, paths restart at its name (Address.line); backbone elements keep the resource's path
    let objectHost = at.inner;
    if (objectHost === undefined || objectHost.type !== code) objectHost = at.inner = { path: at.path, type: code, typePath: code === 'BackboneElement' || code === 'Element' ? at.typePath : code };
    this.walkObject(value, lookup, location, walk, depth, objectHost);
    // A profile may also constrain an extension where it uses it (the ANS glucose profile binds the
    // value of its moment-of-measurement slice): the slice's own children are checked too.
    const slice = typeSlice ?? node;
    if (definition && slice.sliceName && slice.children.length > 0) this.walkObject(value, this.lookup(slice.children), location, walk, depth, objectHost);
    if (plan.quantity) this.checkUcum(value, location, walk);
    // DocumentReference attachments get the fuller document check (size, hash, CDA header)
    if (code === 'Attachment' && !/^DocumentReference\.content/.test(at.path)) checkAttachmentSize(value, (message) => this.report(walk, 'error', 'value', location, message));
    if (code === 'Reference') {
      walk.contextual++;
      this.checkReference(value, type, location, walk);
    }
  }

  /**
   * Warnings the Java validator gives on text by default: a string that starts or ends with
   * whitespace, and markdown that embeds what looks like an HTML tag (presentation layers escape it).
   */
  private checkText(value: string, code: string, location: string, walk: Walk): void {
    if (code === 'string' && /^\s|\s$/.test(value)) this.report(walk, 'warning', 'value', location, 'the value should not start or finish with whitespace');
    const tag = code === 'markdown' ? /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>/.exec(value) : null;
    if (tag) this.report(walk, 'warning', 'value', location, `the markdown embeds what looks like an HTML tag (${tag[0].slice(0, 40)}), which presentation layers will escape: check that this is intended`);
  }

  /** Profiles an entry/contained resource must meet: the element's type profiles (one of them). */
  private profilesOf(value: unknown, type: TypeRef, location: string, walk: Walk): string[] {
    const allowed = type.profiles.map((p) => this.resolveProfile(p)).filter((p): p is string => Boolean(p));
    if (allowed.length <= 1) return allowed;
    // "only A or B": the resource meets one of them. Claims in meta.profile are validated anyway.
    const claims = isObject(value) && isObject(value.meta) && Array.isArray(value.meta.profile) ? value.meta.profile.map((c) => (typeof c === 'string' ? this.resolveProfile(c) : undefined)) : [];
    if (claims.some((c) => c && allowed.includes(c))) return [];
    const fitting = allowed.find((p) => this.meets(value, p));
    if (fitting) return [fitting];
    this.report(walk, 'error', 'structure', location, `the resource conforms to none of the allowed profiles: ${allowed.join(', ')}`);
    return [];
  }

  private checkUcum(q: Record<string, unknown>, location: string, walk: Walk): void {
    if (q.system !== UCUM_SYSTEM || typeof q.code !== 'string') return;
    const check = validateUcum(q.code);
    if (!check.valid) this.report(walk, 'error', 'code-invalid', `${location}.code`, check.message ?? `"${q.code}" is not a valid UCUM code`);
  }

  /** The resource types a Reference's target profiles allow, worked out once per type. */
  private targetTypesOf(type: TypeRef): Set<string> {
    let types = this.targetTypes.get(type);
    if (!types) {
      types = new Set(type.targetProfiles.map((p) => this.model.definition(p)?.type ?? (p.startsWith(FHIR_BASE) ? p.slice(FHIR_BASE.length) : undefined)).filter(Boolean) as string[]);
      this.targetTypes.set(type, types);
    }
    return types;
  }

  private checkReference(ref: Record<string, unknown>, type: TypeRef, location: string, walk: Walk): void {
    const reference = ref.reference;
    if (typeof reference !== 'string') return;
    if (reference.startsWith('#')) {
      // ref-1, checked here: a local reference points to a contained resource of the same resource
      // A contained resource may point to a sibling: `#id` resolves in the resource or any container of it.
      const contained = walk.resourceStack.flatMap((r) => (isObject(r) && Array.isArray(r.contained) ? r.contained : []));
      if (reference.length > 1 && !contained.some((c) => isObject(c) && c.id === reference.slice(1))) {
        this.report(walk, 'error', 'invariant', location, 'ref-1: SHALL have a contained resource if a local reference is provided', 'ref-1');
      }
      return;
    }
    if (!REFERENCE_FORMAT.test(reference)) {
      this.report(walk, 'error', 'value', `${location}.reference`, `"${reference.slice(0, 100)}" is not a valid reference`);
      return;
    }
    const allowedTypes = this.targetTypesOf(type);
    const target = walk.bundleTargets?.get(reference);
    const typeFromText = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[^/]+)?$/.exec(reference)?.[1];
    if (typeFromText && !/^[a-z]+:/.test(reference) && this.baseType(typeFromText)?.sd.kind !== 'resource') {
      this.report(walk, 'error', 'value', `${location}.reference`, `"${typeFromText}" is not a resource type`);
      return;
    }
    // In a document, every reference resolves inside the Bundle (relative and urn: ones at least).
    if (walk.inDocument && !target && !/^https?:/.test(reference)) {
      this.report(walk, 'error', 'not-found', `${location}.reference`, `"${reference.slice(0, 100)}" is not in the document Bundle: a document's references resolve inside it`);
    }
    const targetType = (target && typeof target.resourceType === 'string' ? target.resourceType : undefined) ?? typeFromText;
    if (targetType && allowedTypes.size && !allowedTypes.has(targetType) && !allowedTypes.has('Resource')) {
      this.report(walk, 'error', 'structure', `${location}.reference`, `a reference to ${targetType} is not allowed here (allowed: ${[...allowedTypes].join(', ')})`);
      return;
    }
    if (target && type.targetProfiles.length) {
      const loaded = type.targetProfiles.filter((p) => !p.startsWith(FHIR_BASE) && this.model.tree(p));
      if (loaded.length && !loaded.some((p) => this.meets(target, p))) {
        this.report(walk, 'error', 'structure', `${location}.reference`, `the referenced ${targetType} does not conform to ${loaded.join(' or ')}`);
      }
    }
  }

  // ---- bindings -----------------------------------------------------------

  private validateCodeCached(system: string | undefined, code: string, valueSet: string, display?: string): CodeValidation {
    // nested maps rather than one joined key: the resource's own strings are looked up, none is built
    let inValueSet = this.codeResults.get(valueSet);
    if (!inValueSet) this.codeResults.set(valueSet, (inValueSet = { size: 0, bySystem: new Map() }));
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

  private checkBinding(value: unknown, typeCode: string, strength: string, valueSet: string, location: string, walk: Walk): void {
    const bad: IssueSeverity = strength === 'required' ? 'error' : 'warning';
    const codings: Array<{ system?: string; code: string; display?: string }> = [];
    if (typeCode === 'code' || typeCode === 'string' || typeCode === 'uri') {
      if (typeof value === 'string') codings.push({ code: value });
    } else if (typeCode === 'Coding' && isObject(value)) {
      if (typeof value.code === 'string') codings.push({ system: str(value.system), code: value.code, display: str(value.display) });
    } else if (typeCode === 'CodeableConcept' && isObject(value)) {
      for (const c of Array.isArray(value.coding) ? value.coding : []) {
        if (isObject(c) && typeof c.code === 'string') codings.push({ system: str(c.system), code: c.code, display: str(c.display) });
      }
      if (codings.length === 0) {
        if (strength === 'required') this.report(walk, 'error', 'code-invalid', location, `no code provided, and a code from ${valueSet} is required`);
        return;
      }
    } else if (typeCode === 'Quantity' && isObject(value)) {
      if (typeof value.code === 'string') codings.push({ system: str(value.system), code: value.code });
    } else return;
    if (codings.length === 0) return;
    const results = codings.map((c) => ({ c, r: this.validateCodeCached(c.system, c.code, valueSet, c.display) }));
    const valid = results.find((x) => x.r.result === 'valid');
    if (valid) {
      if (valid.r.displayMismatch) this.report(walk, 'warning', 'code-invalid', location, valid.r.message);
      return;
    }
    const unknown = results.find((x) => x.r.result === 'unknown');
    if (unknown) {
      this.report(walk, 'warning', 'not-supported', location, unknown.r.message);
      return;
    }
    const first = results[0]!;
    const label = first.c.system ? `${first.c.system}#${first.c.code}` : `"${first.c.code}"`;
    this.report(walk, bad, 'code-invalid', location, `${label} is not in the ${strength} value set ${valueSet}`);
  }

  // ---- slicing and extensions ------------------------------------------------

  /** Per slice, the value each discriminator expects (by the discriminator's index; undefined: none), with its path's steps. */
  private matchersOf(sliced: ElementNode) {
    let m = this.sliceMatchers.get(sliced);
    if (!m) {
      const discriminators = sliced.slicing?.discriminator ?? [];
      m = sliced.slices.map((slice) => {
        const values = discriminatorValues(this.model, sliced, slice);
        return {
          slice,
          values: discriminators.map((d) => {
            const expected = values.find((v) => v.path === d.path);
            return expected ? { value: expected.value, steps: d.path.split('.').filter((step) => step !== '$this') } : undefined;
          }),
        };
      });
      this.sliceMatchers.set(sliced, m);
    }
    return m;
  }

  /**
   * A slicing by one value at one path where every slice expects a primitive there (extensions by
   * url, meta.profile by canonical): each value to the first slice that expects it, once per slicing.
   */
  private primitiveSliceIndex(sliced: ElementNode): { steps: string[]; first: Map<unknown, number> } | null {
    let index = this.primitiveSliceIndexes.get(sliced);
    if (index === undefined) {
      index = null;
      const discriminators = sliced.slicing?.discriminator ?? [];
      const matchers = this.matchersOf(sliced);
      const expected = matchers.map((m) => m.values[0]);
      const primitive = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
      if (discriminators.length === 1 && (discriminators[0]!.type === 'value' || discriminators[0]!.type === 'pattern') && expected.every((e) => e && primitive(e.value))) {
        const first = new Map<unknown, number>();
        expected.forEach((e, i) => {
          if (!first.has(e!.value)) first.set(e!.value, i);
        });
        index = { steps: expected[0]?.steps ?? [], first };
      }
      this.primitiveSliceIndexes.set(sliced, index);
    }
    return index;
  }

  /** The index of the first slice an item fits, or -1. */
  private sliceIndexFor(item: unknown, sliced: ElementNode, walk: Walk): number {
    const byValue = this.primitiveSliceIndex(sliced);
    if (byValue) {
      let first = -1;
      someValueAt(item, byValue.steps, (v) => {
        const i = byValue.first.get(v);
        if (i !== undefined && (first < 0 || i < first)) first = i;
        return false;
      });
      return first;
    }
    const discriminators = sliced.slicing?.discriminator ?? [];
    const matchers = this.matchersOf(sliced);
    for (let m = 0; m < matchers.length; m++) {
      const { slice, values } = matchers[m]!;
      let ok = discriminators.length > 0;
      for (let k = 0; k < discriminators.length; k++) {
        const d = discriminators[k]!;
        if (d.type === 'value' || d.type === 'pattern') {
          const expected = values[k];
          // A slice that sets no value at this path is not restricted by it (MHD's Documents slice
          // accepts any request.method), unless it is the only discriminator.
          if (expected ? !someValueAt(item, expected.steps, (v) => matchesPattern(v, expected.value)) : discriminators.length === 1) ok = false;
        } else if (d.type === 'type') {
          // The item's type at the path: a resource's resourceType, a choice's type suffix, a resolved reference's target
          const typeCodes = this.sliceElementAt(slice, d.path)?.types.map((t) => t.code) ?? slice.types.map((t) => t.code);
          if (!this.typedValuesAt(item, d.path, walk).some((v) => v.type !== undefined && typeCodes.some((code) => this.isTypeOrSubtype(v.type!, code)))) ok = false;
        } else if (d.type === 'profile') {
          const profiles = (this.sliceElementAt(slice, d.path) ?? slice).types.flatMap((t) => (d.path.endsWith('resolve()') ? t.targetProfiles : t.profiles));
          if (!this.typedValuesAt(item, d.path, walk).some((v) => profiles.some((p) => this.conformsTo(v.value, v.type, p)))) ok = false;
        } else if (d.type === 'exists') {
          // `extension('url')` paths name the extension of that url (FrCore's e-mail type, say)
          const ext = /^extension\('([^']+)'\)$/.exec(d.path)?.[1];
          const at = ext ? this.extensionSliceOf(slice, ext) : this.sliceElementAt(slice, d.path);
          const exists = ext ? isObject(item) && Array.isArray(item.extension) && item.extension.some((e) => isObject(e) && e.url === ext) : valuesAt(item, d.path).length > 0;
          if (at && ((at.min > 0 && !exists) || (at.max === 0 && exists))) ok = false;
        } else ok = false;
        if (!ok) break;
      }
      if (ok) return m;
    }
    return -1;
  }

  /**
   * The values at a discriminator path with their FHIR type where the JSON tells it: a resource's
   * resourceType, a choice's type suffix (`valueQuantity` → Quantity); `resolve()` follows a
   * reference into the enclosing Bundle or the contained resources.
   */
  private typedValuesAt(item: unknown, path: string, walk: Walk): Array<{ value: unknown; type?: string }> {
    // resolve() reads the enclosing resources, and profile checks validate what they find
    walk.contextual++;
    let current: Array<{ value: unknown; type?: string }> = [{ value: item, type: isObject(item) && typeof item.resourceType === 'string' ? item.resourceType : undefined }];
    for (const step of path.split('.')) {
      if (step === '$this') continue;
      const next: Array<{ value: unknown; type?: string }> = [];
      for (const { value } of current) {
        if (!isObject(value)) continue;
        if (step === 'resolve()') {
          const target = typeof value.reference === 'string' ? this.resolveLocal(value.reference, walk) : undefined;
          if (target) next.push({ value: target, type: typeof target.resourceType === 'string' ? target.resourceType : undefined });
          continue;
        }
        for (const key of Object.keys(value)) {
          const choiceType = key.length > step.length && key.startsWith(step) && /^[A-Z]/.test(key.slice(step.length)) ? key.slice(step.length) : undefined;
          if (key !== step && !choiceType) continue;
          for (const v of Array.isArray(value[key]) ? (value[key] as unknown[]) : [value[key]]) {
            if (v === null || v === undefined) continue;
            const type = isObject(v) && typeof v.resourceType === 'string' ? v.resourceType : choiceType && typeOfSuffix(choiceType);
            next.push({ value: v, type });
          }
        }
      }
      current = next;
    }
    return current;
  }

  /** A reference resolved where the validator can see: the enclosing Bundle, or the contained resources (`#id`). */
  private resolveLocal(reference: string, walk: Walk): Record<string, unknown> | undefined {
    if (reference.startsWith('#')) {
      for (const r of walk.resourceStack) {
        const found = isObject(r) && Array.isArray(r.contained) ? r.contained.find((c) => isObject(c) && c.id === reference.slice(1)) : undefined;
        if (isObject(found)) return found;
      }
      return undefined;
    }
    return walk.bundleTargets?.get(reference);
  }

  /** A type and the types it derives from (Age, Quantity, Element), memoised: extension contexts and slicing ask often. */
  private typeAndAncestors(type: string): string[] {
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
  private isTypeOrSubtype(type: string, expected: string): boolean {
    return expected === 'Resource' || expected === 'Element' || this.typeAndAncestors(type).includes(expected);
  }

  /** Whether a value (a resource or a data type) meets a profile: its type first, then no error against it. */
  private conformsTo(value: unknown, type: string | undefined, profile: string): boolean {
    const tree = this.model.tree(this.resolveProfile(profile) ?? profile);
    if (!tree) return false;
    if (type && !this.isTypeOrSubtype(type, tree.sd.type)) return false;
    if (tree.sd.kind === 'resource') return this.meets(value, tree.sd.url);
    if (!isObject(value)) return false;
    const walk: Walk = { issues: [], again: 0, contextual: 0, rootResource: value, resourceStack: [], resolveAttachment: undefined, bundleTargets: undefined, inDocument: undefined, currentResource: undefined };
    // one TypeRef per profile: value plans are memoised by it
    let rootType = this.profileRootTypes.get(tree);
    if (!rootType) this.profileRootTypes.set(tree, (rootType = { code: tree.sd.type, profiles: [tree.sd.url], targetProfiles: [] } as unknown as TypeRef));
    this.walkValue(value, tree.root, this.valuePlan(tree.root, rootType), tree.sd.type, walk, 0, { path: tree.sd.type, type: tree.sd.type });
    return !walk.issues.some((i) => i.severity === 'error');
  }

  /** The extension slice below a slice that is the extension of a given url. */
  private extensionSliceOf(slice: ElementNode, url: string): ElementNode | undefined {
    const extension = this.model.childrenFor(slice, slice.types[0]).find((c) => c.name === 'extension');
    return extension?.slices.find((s) => s.types.some((t) => t.profiles.includes(url)));
  }

  private sliceElementAt(slice: ElementNode, path: string): ElementNode | undefined {
    if (path === '$this') return slice;
    let current: ElementNode | undefined = slice;
    for (const part of path.split('.')) {
      if (!current) return undefined;
      current = this.model.childrenFor(current, current.types[0]).find((c) => c.name === part || c.name === `${part}[x]`);
    }
    return current;
  }

  private checkSlices(items: unknown[], locations: string[], sliced: ElementNode, at: string, walk: Walk, depth: number, host: Host): void {
    const rules = sliced.slicing!.rules;
    // items per slice, in a pooled buffer (given back zeroed)
    const slices = sliced.slices;
    let counts = this.countBuffers.pop();
    if (!counts || counts.length < slices.length) counts = new Int32Array(Math.max(64, slices.length));
    let lastIndex = -1;
    let sawUnmatched = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const sliceIndex = this.sliceIndexFor(item, sliced, walk);
      if (sliceIndex < 0) {
        sawUnmatched = true;
        if (rules === 'closed') this.report(walk, 'error', 'structure', locations[i]!, `this element matches none of the slices of ${sliced.path} (${sliced.slices.map((s) => s.sliceName).join(', ')}), and the slicing is closed`);
        continue;
      }
      const slice = sliced.slices[sliceIndex]!;
      if (sliced.slicing!.ordered && sliceIndex < lastIndex) this.report(walk, 'error', 'structure', locations[i]!, `slice ${slice.sliceName} is out of order (the slicing of ${sliced.path} is ordered)`);
      if (rules === 'openAtEnd' && sawUnmatched) this.report(walk, 'error', 'structure', locations[i]!, `elements outside the slices of ${sliced.path} must come last (openAtEnd)`);
      lastIndex = Math.max(lastIndex, sliceIndex);
      counts[sliceIndex]! += 1;
      // the item is also checked against the slice's own definition
      const type = slice.types[0] ?? sliced.types[0]!;
      walk.again++;
      this.walkValue(item, slice, this.valuePlan(slice, type), locations[i]!, walk, depth, host);
      walk.again--;
    }
    for (let i = 0; i < slices.length; i++) {
      const slice = slices[i]!;
      const n = counts[i]!;
      counts[i] = 0;
      if (n < slice.min) this.report(walk, 'error', 'required', at, `${sliced.path}:${slice.sliceName}: minimum required = ${slice.min}, but only found ${n}`);
      if (n > slice.max) this.report(walk, 'error', 'structure', at, `${sliced.path}:${slice.sliceName}: maximum allowed = ${slice.max}, but found ${n}`);
    }
    this.countBuffers.push(counts);
  }


  /**
   * The definition an extension value is checked against: the profile its element names, else the
   * one its url resolves to (context checked). Unknown urls are errors, as by default in the Java
   * validator.
   */
  private extensionDefinition(value: Record<string, unknown>, type: TypeRef, node: ElementNode, location: string, walk: Walk, at: Host): ProfileTree | undefined {
    if (type.profiles[0]) return this.model.tree(type.profiles[0]);
    const url = value.url;
    // relative urls name the parts of a complex extension: its own definition describes them
    if (typeof url !== 'string' || !url.includes(':')) return undefined;
    const tree = this.model.tree(url);
    const modifier = node.name === 'modifierExtension';
    if (!tree || tree.sd.type !== 'Extension') {
      // The Java validator's default: an extension whose definition cannot be found is not allowed.
      this.report(walk, 'error', 'structure', location, `the extension ${url} could not be found, so it is not allowed here${modifier ? ' (a modifier extension that is not understood cannot be accepted)' : ''}`);
      return undefined;
    }
    // whether the extension may sit here: the same for every value at the same (memoised) host
    let verdicts = this.contextVerdicts.get(at);
    if (!verdicts) this.contextVerdicts.set(at, (verdicts = new Map()));
    let refusal = verdicts.get(url);
    if (refusal === undefined) verdicts.set(url, (refusal = this.contextRefusal(tree, url, at)));
    if (refusal) this.report(walk, 'error', 'structure', location, refusal);
    return tree;
  }

  /** Why an extension may not sit at a host ('' when it may): its contexts against the host's path and type. */
  private contextRefusal(tree: ProfileTree, url: string, at: Host): string {
    // The element the extension sits on: its path in the resource and its data type (and the types it derives from).
    const hostPath = at.path.split('.').slice(0, -1).join('.');
    const allowed = new Set(['Element', 'Base', 'Resource', 'DomainResource', 'BackboneElement', hostPath, ...this.typeAndAncestors(at.type)]);
    if (at.typePath) allowed.add(at.typePath.split('.').slice(0, -1).join('.'));
    const contexts = applicableContexts((tree.sd as { context?: ExtensionContext[] }).context ?? []);
    const fits = (c: ExtensionContext) => {
      if (c.type !== 'element') return true;
      const expression = c.expression.replace(/\[x\]/g, '');
      // R5's CanonicalResource, which R4 extension packs name: the R4 resources that have a url
      if (expression === 'CanonicalResource') return hostPath === at.type && Boolean(this.baseType(at.type)?.byId.get(`${at.type}.url`));
      return allowed.has(expression);
    };
    if (contexts.length && !contexts.some(fits)) return `extension ${url} is not allowed on ${hostPath} (its contexts: ${contexts.map((c) => c.expression).join(', ')})`;
    return '';
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
interface ExtensionContext {
  type: string;
  expression: string;
  extension?: Array<{ url: string; extension?: Array<{ url: string; valueCode?: string }> }>;
}
const VERSION_SPECIFIC_USE = 'http://hl7.org/fhir/StructureDefinition/version-specific-use';

/**
 * The contexts of an extension that apply to FHIR R4: the cross-version extension packs mark
 * contexts with the FHIR versions they belong to (version-specific-use, startFhirVersion/endFhirVersion).
 * When none is marked for R4, all are kept.
 */
function applicableContexts(contexts: ExtensionContext[]): ExtensionContext[] {
  const forR4 = contexts.filter((c) => {
    const use = c.extension?.find((e) => e.url === VERSION_SPECIFIC_USE)?.extension ?? [];
    const start = use.find((e) => e.url === 'startFhirVersion')?.valueCode;
    const end = use.find((e) => e.url === 'endFhirVersion')?.valueCode;
    return (!start || compareVersions(start, '4.0') <= 0) && (!end || compareVersions(end, '4.0') >= 0);
  });
  return forR4.length ? forR4 : contexts;
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * Where a location sits in the resource, as the positions of its keys and array indexes from the
 * root (document order compares them lexicographically, a parent before its children). A location
 * the resource does not have, such as `Observation.value` from FHIRPath for `valueQuantity` or a
 * missing element, takes the position of its nearest parent; undefined: not in the resource.
 */
function documentPosition(resource: unknown, root: string, location: string): number[] | undefined {
  if (location !== root && !location.startsWith(`${root}.`) && !location.startsWith(`${root}[`)) return undefined;
  const position: number[] = [];
  let current = resource;
  // read step by step: `.name` or `[index]` (every issue of an invalid resource is placed so)
  for (let i = root.length; i < location.length; ) {
    if (location.charCodeAt(i) === 91 /* [ */) {
      const close = location.indexOf(']', i);
      const index = close < 0 ? NaN : Number(location.slice(i + 1, close));
      if (!Array.isArray(current) || !(index < current.length)) break;
      position.push(index);
      current = current[index];
      i = close + 1;
      continue;
    }
    let end = i + 1;
    while (end < location.length && location.charCodeAt(end) !== 46 && location.charCodeAt(end) !== 91) end++;
    const name = location.slice(i + 1, end);
    i = end;
    if (!isObject(current)) break;
    // the key's position among the keys (resourceType aside)
    let foundAt = -1;
    let choiceKey: string | undefined;
    let choiceAt = -1;
    let n = 0;
    for (const key of Object.keys(current)) {
      if (key === 'resourceType') continue;
      if (key === name) {
        foundAt = n;
        break;
      }
      // FHIRPath names a choice without its type (Observation.effective): its JSON name has it
      if (choiceKey === undefined && key.length > name.length && key.startsWith(name) && /^[A-Z][A-Za-z]*$/.test(key.slice(name.length))) {
        choiceKey = key;
        choiceAt = n;
      }
      n++;
    }
    if (foundAt < 0 && choiceKey === undefined) break;
    position.push(foundAt >= 0 ? foundAt : choiceAt);
    current = current[foundAt >= 0 ? name : choiceKey!];
  }
  return position;
}

/** The same issue twice: same severity, location, and key (or message when it has none). */
function sameIssue(a: ValidationIssue, b: ValidationIssue): boolean {
  return a.severity === b.severity && a.location === b.location && (a.key ?? a.message) === (b.key ?? b.message);
}

/**
 * Each issue once (same severity, location and key or message), in the order first found: dropped
 * here rather than on each report, which most validations (one warning or none) never need. A few
 * issues (the common case) are compared pairwise; many, through a set of their identities.
 */
function distinct(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= 16) {
    const kept: ValidationIssue[] = [];
    for (let i = 0; i < issues.length; i++) {
      let seen = false;
      for (let k = 0; k < kept.length && !seen; k++) seen = sameIssue(kept[k]!, issues[i]!);
      if (!seen) kept.push(issues[i]!);
    }
    return kept;
  }
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${i.severity}|${i.location}|${i.key ?? i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Document positions compared: an unplaced issue (outside the resource) after every placed one, a place before what is inside it. */
function comparePositions(a: number[] | undefined, b: number[] | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  const common = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Issues in document order (stable: issues at one place keep the order they were found in). An
 * invalid resource has a few issues: an insertion sort, with no closures or index arrays, costs
 * less than a general sort; a long list goes through Array.prototype.sort.
 */
function sortInDocumentOrder(issues: ValidationIssue[], resource: unknown, root: string): ValidationIssue[] {
  const n = issues.length;
  const positions: Array<number[] | undefined> = new Array(n);
  for (let i = 0; i < n; i++) positions[i] = documentPosition(resource, root, issues[i]!.location);
  if (n > 32) {
    const order = issues.map((_, i) => i).sort((a, b) => comparePositions(positions[a], positions[b]) || a - b);
    return order.map((i) => issues[i]!);
  }
  const sorted = issues.slice();
  for (let i = 1; i < n; i++) {
    const issue = sorted[i]!;
    const position = positions[i];
    let j = i - 1;
    // strictly after: issues at one place keep their order
    while (j >= 0 && comparePositions(positions[j], position) > 0) {
      sorted[j + 1] = sorted[j]!;
      positions[j + 1] = positions[j];
      j--;
    }
    sorted[j + 1] = issue;
    positions[j + 1] = position;
  }
  return sorted;
}

/** minValue/maxValue (numbers, dates, Quantities of the same unit) and maxLength of an element. */
interface Limits {
  maxLength?: number;
  bounds: Array<{ isMin: boolean; limit: unknown }>;
}
/** An element's limits, or null when it has none (read once per element, by its value plan). */
function readLimits(node: ElementNode): Limits | null {
  const def = node.def as Record<string, unknown>;
  const bounds = Object.entries(def)
    .filter(([key]) => key.startsWith('minValue') || key.startsWith('maxValue'))
    .map(([key, limit]) => ({ isMin: key.startsWith('minValue'), limit }));
  return typeof def.maxLength === 'number' || bounds.length ? { maxLength: typeof def.maxLength === 'number' ? def.maxLength : undefined, bounds } : null;
}

function checkLimits(value: unknown, limits: Limits, report: (message: string) => void): void {
  if (limits.maxLength !== undefined && typeof value === 'string' && [...value].length > limits.maxLength) {
    report(`${[...value].length} characters, more than the maximum length ${limits.maxLength}`);
  }
  for (const { isMin, limit } of limits.bounds) {
    const compared = compareLimit(value, limit);
    if (compared === undefined) continue;
    if (isMin ? compared < 0 : compared > 0) report(`value ${JSON.stringify(value)} is ${isMin ? 'below the minimum' : 'above the maximum'} ${JSON.stringify(limit)}`);
  }
}

/** value compared with a limit: negative below, positive above; undefined when not comparable. */
function compareLimit(value: unknown, limit: unknown): number | undefined {
  if (typeof value === 'number' && typeof limit === 'number') return value - limit;
  if (typeof value === 'string' && typeof limit === 'string' && /^\d{4}/.test(value) && /^\d{4}/.test(limit)) {
    // dates and times at the same precision compare as text; otherwise as instants when both parse
    if (value.length === limit.length) return value < limit ? -1 : value > limit ? 1 : 0;
    const a = Date.parse(value);
    const b = Date.parse(limit);
    return Number.isNaN(a) || Number.isNaN(b) ? undefined : a - b;
  }
  if (typeof value === 'string' && typeof limit === 'string' && /^\d{2}:\d{2}/.test(value) && /^\d{2}:\d{2}/.test(limit)) return value < limit ? -1 : value > limit ? 1 : 0;
  if (isObject(value) && isObject(limit) && typeof value.value === 'number' && typeof limit.value === 'number') {
    if ((limit.code !== undefined && value.code !== limit.code) || (limit.system !== undefined && value.system !== limit.system)) return undefined;
    return value.value - limit.value;
  }
  return undefined;
}

/** Attachment.size is the size of the data it carries (base64-decoded). */
function checkAttachmentSize(value: Record<string, unknown>, report: (message: string) => void): void {
  if (typeof value.data !== 'string' || typeof value.size !== 'number') return;
  const bytes = attachedBytes({ data: value.data });
  if (bytes && bytes.length !== value.size) report(`Attachment.size ${value.size} does not match the size of its data (${bytes.length} bytes)`);
}

function bundleTargets(bundle: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  for (const entry of Array.isArray(bundle.entry) ? bundle.entry : []) {
    if (!isObject(entry) || !isObject(entry.resource)) continue;
    const r = entry.resource;
    if (typeof entry.fullUrl === 'string') map.set(entry.fullUrl, r);
    if (typeof r.resourceType === 'string' && typeof r.id === 'string') map.set(`${r.resourceType}/${r.id}`, r);
  }
  return map;
}
