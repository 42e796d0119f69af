import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { fhirpathForEvaluation, isPrimitiveType, type Constraint, type ProfileTree, type StructureModel } from '@mes-fhir/profile-model';
import { cachedChildOf, childOf, choiceIn, compileFast, startOf, type ChildCache, isType, itemPath, type FastCheck, type FastInvariant, type FastStart, withNative } from './fastpath.js';
import { nativeInvariant, type NativeVerdict } from './native-invariants.js';

type FhirPathNode = { fullPropertyName?: () => string };

export interface InvariantGroup {
  /** FHIRPath selecting the elements the constraints sit on (`Observation.value.ofType(Quantity)`). */
  path: string;
  /** The path's steps (names, `ofType(T)`) when it is plain: selected without the library. */
  plain?: string[];
  /** Every constraint of the group has a native verdict or a closure compiled from its FHIRPath. */
  allFast?: boolean;
  /** Selected and checked by the plan's selection tree. */
  inSelection?: boolean;
  /** Keys of the resource one of which must be present for the path to select anything (its first step, its `_` companion, its choice names). */
  requires?: string[];
  select: (resource: unknown) => FhirPathNode[];
  /**
   * `native`: the hand-written verdict of an R4 or MES rule on its common shapes; `closure`: the
   * FHIRPath compiled to JSON. The selection tree asks the native on the value it holds, then the
   * closure from a start it shares; `run` (the library's nodes) asks both, then the library.
   */
  constraints: Array<Constraint & { run: (node: FhirPathNode, env: Record<string, unknown>) => unknown[]; native?: NativeVerdict; closure?: FastInvariant }>;
}

export interface InvariantPlan {
  groups: InvariantGroup[];
  /** The plain, all-closure groups as one tree of steps from the resource: shared prefixes are selected once. */
  selection?: SelectionNode;
  /** Constraints whose FHIRPath the fhirpath library cannot compile. */
  notRunnable: Array<{ key: string; path: string; reason: string }>;
}

/**
 * Checked by the walk itself: ele-1 (an element has a value or children) sits on every element;
 * ref-1 (a local reference has its contained resource) evaluates to empty, hence fails, on
 * references that carry only an identifier, where the rule does not apply.
 */
const NATIVE = new Set(['ele-1', 'ref-1']);

/**
 * ext-1 as R4 writes it: the walk checks it on every extension it meets (it visits each one
 * anyway), so that no invariant group has to select the extensions of every element again.
 */
export const EXT_1 = { key: 'ext-1', expression: 'extension.exists() != value.exists()', human: 'Must have either extensions or value[x], not both' };
const walkedByTheValidator = (c: Constraint) => NATIVE.has(c.key) || (c.key === EXT_1.key && c.expression === EXT_1.expression);

/**
 * ext-1 on one extension's JSON: the closure compiled from its FHIRPath, else the fhirpath library
 * (on what the closure does not decide: nulls, a value known only by its `_value` companion…).
 */
export function extensionHoldsExt1(extension: unknown): boolean {
  const verdict = ext1Fast(extension, 'Extension', {}, true);
  if (verdict !== undefined) return verdict;
  const result = ext1Library(extension);
  return result.length === 1 && result[0] === true;
}
const ext1Fast = compileFast(EXT_1.expression)!;
const ext1Library = (() => {
  const compiled = fhirpath.compile({ base: 'Extension', expression: EXT_1.expression } as unknown as string, r4Model);
  return (extension: unknown) => compiled(extension as object) as unknown[];
})();

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The nodes a plain dotted path (`Observation.code.coding.extension`, `Observation.value.ofType(Quantity)`)
 * selects in JSON, with FHIRPath's locations (`Observation.code.coding[0].extension[1]`,
 * `Observation.value`) and the type the JSON tells; undefined when the path meets what only
 * FHIRPath resolves (a primitive's extensions, a resource inside, a type known only from the
 * definitions), so that the caller falls back to the library.
 */
export function selectPlain(resource: unknown, path: string): Array<{ value: unknown; type?: string; location: string }> | undefined {
  const steps = plainSteps(path);
  const tree = steps && selectionTree([steps]);
  if (!tree) return undefined;
  // the selection the invariant plans use, collecting what it selects instead of checking it
  const run: SelectionRun = { groups: [], env: {}, found: [], library: undefined, selected: [] };
  visitResource(run, tree, resource);
  return run.library ? undefined : run.selected!.map((s) => ({ value: s.value, type: s.type, location: locationText(s.at) }));
}

/** The steps of a plain dotted path, or undefined (functions other than ofType…): checked once per path. */
function plainSteps(path: string): string[] | undefined {
  return /^[A-Za-z]+(\.([A-Za-z]+|ofType\([A-Za-z]+\)))*$/.test(path) ? path.split('.') : undefined;
}

/** The keys of a resource that the first step of a plain path reads (undefined: the path starts at the resource itself). */
function firstKeys([root, first]: string[]): string[] | undefined {
  if (!first || first.startsWith('ofType(')) return undefined;
  const child = childOf(root!, first);
  return child.choices ? child.choices.flatMap((c) => [c.key, c.companion]) : [first, child.companion];
}

const compiledExpressions = new Map<string, (node: FhirPathNode, env: Record<string, unknown>) => unknown[]>();
const compiledSelectors = new Map<string, (resource: unknown) => FhirPathNode[]>();

function compileExpression(expression: string) {
  let fn = compiledExpressions.get(expression);
  if (!fn) {
    // trace() output (dom-3 uses it) is noise for a validator.
    const compiled = fhirpath.compile(fhirpathForEvaluation(expression), r4Model, { traceFn: () => undefined });
    fn = (node, env) => compiled(node as object, env) as unknown[];
    compiledExpressions.set(expression, fn);
  }
  return fn;
}

function compileSelector(path: string) {
  let fn = compiledSelectors.get(path);
  if (!fn) {
    const compiled = fhirpath.compile(path, r4Model, { resolveInternalTypes: false });
    fn = (resource) => compiled(resource as object) as FhirPathNode[];
    compiledSelectors.set(path, fn);
  }
  return fn;
}

/**
 * The invariants of a profile, grouped by the element they sit on: every constraint of the
 * snapshot (own and inherited), plus those of the data types of elements the snapshot does not
 * expand (qty-3 on a Quantity, ref-1 on a Reference…). Compiled once per profile.
 */
export function planInvariants(model: StructureModel, tree: ProfileTree): InvariantPlan {
  const placed: Array<{ path: string; constraint: Constraint }> = [];
  for (const node of tree.byId.values()) {
    const path = node.path.replace(/\[x\]/g, '');
    for (const constraint of node.constraints) placed.push({ path, constraint });
    if (node.children.length || node.path === tree.root.path) continue;
    for (const t of node.types) {
      if (isPrimitiveType(t.code) || t.code === 'Resource' || t.code === 'BackboneElement' || t.code === 'Element') continue;
      const typeTree = model.typeTree(t.code);
      if (!typeTree || typeTree.sd.kind !== 'complex-type') continue;
      const typedPath = node.name.endsWith('[x]') && node.types.length > 1 ? `${path}.ofType(${t.code})` : path;
      for (const constraint of typeTree.root.constraints) placed.push({ path: typedPath, constraint });
    }
  }
  return planOf(placed);
}

/**
 * The plan of constraints placed on paths: grouped by path, each compiled for the library and,
 * unless `libraryOnly` (the reference the tests compare with), into a closure.
 */
export function planOf(placed: Array<{ path: string; constraint: Constraint }>, { libraryOnly = false } = {}): InvariantPlan {
  const groups = new Map<string, InvariantGroup>();
  const seen = new Set<string>();
  const notRunnable: InvariantPlan['notRunnable'] = [];
  for (const { path, constraint: c } of placed) {
    if (!c.expression || walkedByTheValidator(c)) continue;
    const id = `${path}|${c.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    // every constraint tries its closure compiled from the FHIRPath first; where that does not decide, the library evaluates
    // (the R4 rules every measure carries decide their common case natively, before the closure)
    const closure = libraryOnly ? undefined : compileFast(fhirpathForEvaluation(c.expression));
    const native = libraryOnly ? undefined : nativeInvariant(c);
    const fast: FastCheck | undefined = native ? withNative(native, closure) : closure;
    let run;
    try {
      const library = compileExpression(c.expression);
      run = fast
        ? (node: FhirPathNode, env: Record<string, unknown>) => {
            const verdict = fast(dataOf(node), modelPathOf(node), env);
            return verdict === undefined ? library(node, env) : [verdict];
          }
        : library;
      if (!groups.has(path)) {
        const steps = plainSteps(path);
        groups.set(path, { path, select: compileSelector(path), constraints: [], ...(steps ? { plain: steps, requires: firstKeys(steps) } : {}) });
      }
    } catch (e) {
      notRunnable.push({ key: c.key, path, reason: (e as Error).message.split('\n')[0] ?? 'cannot compile' });
      continue;
    }
    groups.get(path)!.constraints.push({ ...c, run, ...(native ? { native } : {}), ...(closure ? { closure } : {}) });
  }
  for (const group of groups.values()) group.allFast = group.constraints.every((c) => c.native || c.closure);
  const list = [...groups.values()];
  const selection = selectionTree(list.map((g) => (g.plain && g.allFast ? g.plain : undefined)));
  // groups of another root type than the tree's stay with the library
  if (selection) for (const g of selection.within) list[g]!.inSelection = true;
  return { groups: list, selection, notRunnable };
}

/**
 * A step of the selection tree: the groups whose path ends here (by their index in the plan) and
 * the steps below. `within` lists every group at or below the step, which go to the library
 * together when the JSON there is something only FHIRPath resolves.
 */
interface SelectionNode {
  step: string;
  /** The step's child in the R4 model, for the last parent path seen. */
  site: ChildCache;
  ofType?: string;
  groups: number[];
  children: SelectionNode[];
  within: number[];
}

function selectionTree(paths: Array<string[] | undefined>): SelectionNode | undefined {
  let root: SelectionNode | undefined;
  paths.forEach((plain, index) => {
    if (!plain) return;
    const [first, ...steps] = plain;
    root ??= { step: first!, site: { name: first! }, groups: [], children: [], within: [] };
    if (root.step !== first) return; // a path from another type: stays with the library
    let node = root;
    node.within.push(index);
    for (const step of steps) {
      let next = node.children.find((c) => c.step === step);
      if (!next) {
        next = { step, site: { name: step }, groups: [], children: [], within: [], ...(step.startsWith('ofType(') ? { ofType: step.slice(7, -1) } : {}) };
        node.children.push(next);
      }
      node = next;
      node.within.push(index);
    }
    node.groups.push(index);
  });
  return root;
}

/** A location built only when a constraint fails: its parent, its FHIRPath name and its index in an array (-1: none). */
interface Location {
  parent?: Location;
  name: string;
  index: number;
}
function locationText(at: Location): string {
  const own = at.index >= 0 ? `${at.name}[${at.index}]` : at.name;
  return at.parent ? `${locationText(at.parent)}.${own}` : own;
}

/** One run of the selection tree over a resource: failures per group, and the groups the library must take. */
interface SelectionRun {
  groups: InvariantGroup[];
  env: Record<string, unknown>;
  found: Array<Array<{ constraint: Constraint; at: Location }> | undefined>;
  /** Made on the first group that needs it (most runs need none). */
  library: Set<number> | undefined;
  /** `selectPlain`: what the groups' paths select, instead of checking constraints there. */
  selected?: Array<{ value: unknown; type: string | undefined; at: Location }>;
}

/** A run of the selection tree from a resource; a resource of another type is the library's. */
function visitResource(run: SelectionRun, tree: SelectionNode, resource: unknown): void {
  if (isObject(resource) && resource.resourceType === tree.step) visit(run, tree, resource, tree.step, tree.step, { name: tree.step, index: -1 });
  else toLibrary(run, tree);
}

function toLibrary(run: SelectionRun, node: SelectionNode): void {
  for (const g of node.within) (run.library ??= new Set()).add(g);
}

/** Checks the groups at a step on one selected value, then descends. */
function visit(run: SelectionRun, node: SelectionNode, value: unknown, type: string | undefined, path: string | undefined, at: Location): void {
  if (run.selected && node.groups.length) run.selected.push({ value, type, at });
  // one start for the closures of every group here (the value is known, its companion checked), made when one needs it
  let start: FastStart | undefined;
  // indexed loops: until V8 optimises them (most of a first pass), for…of costs an iterator per loop
  const groups = node.groups;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi]!;
    if (run.library?.has(g) || run.selected) continue;
    const constraints = run.groups[g]!.constraints;
    for (let ci = 0; ci < constraints.length; ci++) {
      const c = constraints[ci]!;
      let ok: boolean | undefined;
      if (value !== undefined) {
        if (c.native !== undefined) ok = c.native(value, type);
        if (ok === undefined && c.closure !== undefined) ok = c.closure.from((start ??= startOf(value, path, run.env)));
      }
      if (ok === undefined) {
        (run.library ??= new Set()).add(g);
        break;
      }
      if (!ok) (run.found[g] ??= []).push({ constraint: c, at });
    }
  }
  const children = node.children;
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (child.ofType !== undefined) {
      const is = isType(type, child.ofType);
      if (is === undefined) toLibrary(run, child);
      else if (is) visit(run, child, value, type, path, at);
      continue;
    }
    // below a primitive are its id and extensions, in the `_name` companion the library reads
    if (!isObject(value) || path === undefined) {
      toLibrary(run, child);
      continue;
    }
    const step = child.step;
    const model = cachedChildOf(child.site, path);
    if (model.choices) {
      const found = choiceIn(value, model);
      if (found === undefined) toLibrary(run, child);
      else if (found) descend(run, child, found.value, model.path, found.type, at, step);
      continue;
    }
    if (model.type === undefined || value[model.companion] !== undefined) {
      toLibrary(run, child);
      continue;
    }
    const v = value[step];
    if (v !== undefined) descend(run, child, v, model.path, model.type, at, step);
  }
}

function descend(run: SelectionRun, node: SelectionNode, v: unknown, path: string, type: string, parent: Location, name: string): void {
  if (!Array.isArray(v)) {
    descendItem(run, node, v, path, type, { parent, name, index: -1 });
    return;
  }
  for (let i = 0; i < v.length; i++) descendItem(run, node, v[i], path, type, { parent, name, index: i });
}

function descendItem(run: SelectionRun, node: SelectionNode, item: unknown, path: string, type: string, at: Location): void {
  if (item === null || item === undefined) return;
  if (isObject(item) && typeof item.resourceType === 'string') {
    toLibrary(run, node);
    return;
  }
  visit(run, node, item, type, itemPath(path, type, item), at);
}

export interface InvariantFailure {
  constraint: Constraint;
  location: string;
  error?: string;
}

/** Where the library says a node is defined (`Observation.component`, `Quantity`, `dateTime`). */
function modelPathOf(node: unknown): string | undefined {
  const p = isObject(node) && 'data' in node ? (node as { path?: unknown }).path : undefined;
  return typeof p === 'string' ? p : undefined;
}

/** The JSON behind a fhirpath node (or the value itself). */
function dataOf(node: unknown): unknown {
  return isObject(node) && 'data' in node && 'path' in node ? (node as { data: unknown }).data : node;
}

/** Runs a plan on one resource. `env` carries %resource and %rootResource. */
export function runInvariants(plan: InvariantPlan, resource: unknown, env: Record<string, unknown>): InvariantFailure[] {
  const failures: InvariantFailure[] = [];
  // The plain groups with closures: one walk of the selection tree; what it cannot decide goes to the library below.
  let run: SelectionRun | undefined;
  const tree = plan.selection;
  if (tree) {
    run = { groups: plan.groups, env, found: [], library: undefined };
    visitResource(run, tree, resource);
  }
  for (let g = 0; g < plan.groups.length; g++) {
    const group = plan.groups[g]!;
    if (run && group.inSelection && !run.library?.has(g)) {
      const found = run.found[g];
      if (found !== undefined) for (let i = 0; i < found.length; i++) failures.push({ constraint: found[i]!.constraint, location: locationText(found[i]!.at) });
      continue;
    }
    // A path whose first element is absent selects nothing (most groups of a profile, on most resources).
    if (group.requires && isObject(resource) && !group.requires.some((key) => resource[key] !== undefined)) continue;
    let nodes: FhirPathNode[];
    try {
      nodes = group.select(resource);
    } catch (e) {
      failures.push({ constraint: group.constraints[0]!, location: group.path, error: (e as Error).message });
      continue;
    }
    for (const node of nodes) {
      const location = typeof node?.fullPropertyName === 'function' ? node.fullPropertyName() : group.path;
      for (const c of group.constraints) {
        try {
          const result = c.run(node, env);
          if (!(result.length === 1 && result[0] === true)) failures.push({ constraint: c, location });
        } catch (e) {
          failures.push({ constraint: c, location, error: (e as Error).message });
        }
      }
    }
  }
  return failures;
}
