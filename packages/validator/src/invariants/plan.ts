/**
 * The invariants of a profile as a plan: its constraints grouped by the element they sit on, each
 * compiled three ways (a coded verdict for the R4 and MES rules every measure carries, a closure
 * compiled from its FHIRPath, the fhirpath library), and run on a resource: the plain paths through
 * the selection tree, the rest and what the first two do not decide through the library.
 */
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { isObject } from '@mes-fhir/core';
import { fhirpathForEvaluation, isPrimitiveType, type Constraint, type ProfileTree, type StructureModel } from '@mes-fhir/profile-model';
import { codedInvariant, type CodedVerdict } from './coded-invariants.js';
import { compileFhirPath, withCodedVerdict, type CompiledInvariant, type InvariantCheck } from './fhirpath-compiler.js';
import { childOf } from './r4-model.js';
import { locationText, plainSteps, selectionTree, visitResource, type SelectionNode, type SelectionRun } from './selection.js';

type FhirPathNode = { fullPropertyName?: () => string };

export interface InvariantGroup {
  /** FHIRPath selecting the elements the constraints sit on (`Observation.value.ofType(Quantity)`). */
  path: string;
  /** The path's steps (names, `ofType(T)`) when it is plain: selected without the library. */
  plain?: string[];
  /** Every constraint of the group has a coded verdict or a closure compiled from its FHIRPath. */
  allCompiled?: boolean;
  /** Selected and checked by the plan's selection tree. */
  inSelection?: boolean;
  /** Keys of the resource one of which must be present for the path to select anything (its first step, its `_` companion, its choice names). */
  requires?: string[];
  select: (resource: unknown) => FhirPathNode[];
  /**
   * `coded`: the hand-written verdict of an R4 or MES rule on its common shapes; `closure`: the
   * FHIRPath compiled to JSON. The selection tree asks the coded verdict on the value it holds, then the
   * closure from a start it shares; `run` (the library's nodes) asks both, then the library.
   */
  constraints: Array<Constraint & { run: (node: FhirPathNode, env: Record<string, unknown>) => unknown[]; coded?: CodedVerdict; closure?: CompiledInvariant }>;
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
 * references that carry only an identifier, where the rule does not apply; txt-1 and txt-2
 * (`htmlChecks()`, which FHIRPath libraries do not run) are the narrative rule's.
 */
const CHECKED_BY_THE_WALK = new Set(['ele-1', 'ref-1', 'txt-1', 'txt-2']);

/**
 * ext-1 as R4 writes it: the walk checks it on every extension it meets (it visits each one
 * anyway), so that no invariant group has to select the extensions of every element again.
 */
export const EXT_1 = { key: 'ext-1', expression: 'extension.exists() != value.exists()', human: 'Must have either extensions or value[x], not both' };
const walkedByTheValidator = (c: Constraint) => CHECKED_BY_THE_WALK.has(c.key) || (c.key === EXT_1.key && c.expression === EXT_1.expression);

/**
 * ext-1 on one extension's JSON: the closure compiled from its FHIRPath, else the fhirpath library
 * (on what the closure does not decide: nulls, a value known only by its `_value` companion…).
 */
export function extensionHoldsExt1(extension: unknown): boolean {
  const verdict = ext1Compiled(extension, 'Extension', {}, true);
  if (verdict !== undefined) return verdict;
  const result = ext1Library(extension);
  return result.length === 1 && result[0] === true;
}
const ext1Compiled = compileFhirPath(EXT_1.expression)!;
const ext1Library = (() => {
  const compiled = fhirpath.compile({ base: 'Extension', expression: EXT_1.expression } as unknown as string, r4Model);
  return (extension: unknown) => compiled(extension as object) as unknown[];
})();

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
    // (the R4 rules every measure carries decide their common case in code, before the closure)
    const closure = libraryOnly ? undefined : compileFhirPath(fhirpathForEvaluation(c.expression));
    const coded = libraryOnly ? undefined : codedInvariant(c);
    const compiled: InvariantCheck | undefined = coded ? withCodedVerdict(coded, closure) : closure;
    let run;
    try {
      const library = compileExpression(c.expression);
      run = compiled
        ? (node: FhirPathNode, env: Record<string, unknown>) => {
            const verdict = compiled(dataOf(node), modelPathOf(node), env);
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
    groups.get(path)!.constraints.push({ ...c, run, ...(coded ? { coded } : {}), ...(closure ? { closure } : {}) });
  }
  for (const group of groups.values()) group.allCompiled = group.constraints.every((c) => c.coded || c.closure);
  const list = [...groups.values()];
  const selection = selectionTree(list.map((g) => (g.plain && g.allCompiled ? g.plain : undefined)));
  // groups of another root type than the tree's stay with the library
  if (selection) for (const g of selection.within) list[g]!.inSelection = true;
  return { groups: list, selection, notRunnable };
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
