import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { fhirpathForEvaluation, isPrimitiveType, type Constraint, type ProfileTree, type StructureModel } from '@mes-fhir/profile-model';
import { childOf, compileFast, isType, itemPath, type FastInvariant } from './fastpath.js';

type FhirPathNode = { fullPropertyName?: () => string };

export interface InvariantGroup {
  /** FHIRPath selecting the elements the constraints sit on (`Observation.value.ofType(Quantity)`). */
  path: string;
  /** The path's steps (names, `ofType(T)`) when it is plain: selected without the library. */
  plain?: string[];
  /** Every constraint of the group has a closure (`fast`: native, or compiled from its FHIRPath). */
  allFast?: boolean;
  /** Keys of the resource one of which must be present for the path to select anything (its first step, its `_` companion, its choice names). */
  requires?: string[];
  select: (resource: unknown) => FhirPathNode[];
  constraints: Array<Constraint & { run: (node: FhirPathNode, env: Record<string, unknown>) => unknown[]; fast?: FastInvariant }>;
}

export interface InvariantPlan {
  groups: InvariantGroup[];
  /** Constraints whose FHIRPath the fhirpath library cannot compile. */
  notRunnable: Array<{ key: string; path: string; reason: string }>;
}

/**
 * Checked by the walk itself: ele-1 (an element has a value or children) sits on every element;
 * ref-1 (a local reference has its contained resource) evaluates to empty, hence fails, on
 * references that carry only an identifier, where the rule does not apply.
 */
const NATIVE = new Set(['ele-1', 'ref-1']);

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
  return steps ? selectSteps(resource, steps) : undefined;
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

/** A selected node: its JSON, FHIR type, FHIRPath location and the R4 model path its children hang from. */
type Selected = { value: unknown; type?: string; location: string; path?: string };

function selectSteps(resource: unknown, [root, ...steps]: string[]): Selected[] | undefined {
  if (!isObject(resource) || resource.resourceType !== root) return undefined;
  let current: Selected[] = [{ value: resource, type: root, location: root!, path: root }];
  for (const step of steps) {
    const next: Selected[] = [];
    if (step.startsWith('ofType(')) {
      const wanted = step.slice(7, -1);
      for (const item of current) {
        const is = isType(item.type, wanted);
        if (is === undefined) return undefined;
        if (is) next.push(item);
      }
    } else {
      for (const { value, location, path } of current) {
        // below a primitive are its id and extensions, in the `_name` companion the library reads
        if (!isObject(value) || path === undefined) return undefined;
        const child = childOf(path, step);
        if (child.choices) {
          for (const choice of child.choices) {
            const v = value[choice.key];
            if (value[choice.companion] !== undefined || Array.isArray(v)) return undefined;
            if (v !== undefined && !collect(v, child.path, choice.type, `${location}.${step}`, next)) return undefined;
          }
          continue;
        }
        if (child.type === undefined || value[child.companion] !== undefined) return undefined;
        if (value[step] !== undefined && !collect(value[step], child.path, child.type, `${location}.${step}`, next)) return undefined;
      }
    }
    if (next.length === 0) return [];
    current = next;
  }
  return current;
}

/** Adds the items of a JSON value to a selection; false where the library must decide (resources inside). */
function collect(v: unknown, path: string, type: string, location: string, into: Selected[]): boolean {
  if (!Array.isArray(v)) return collectItem(v, path, type, location, into);
  for (let i = 0; i < v.length; i++) if (!collectItem(v[i], path, type, `${location}[${i}]`, into)) return false;
  return true;
}

function collectItem(item: unknown, path: string, type: string, location: string, into: Selected[]): boolean {
  if (item === null || item === undefined) return true;
  if (isObject(item) && typeof item.resourceType === 'string') return false;
  into.push({ value: item, type, location, path: itemPath(path, type, item) });
  return true;
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
  const groups = new Map<string, InvariantGroup>();
  const seen = new Set<string>();
  const notRunnable: InvariantPlan['notRunnable'] = [];
  const add = (path: string, c: Constraint) => {
    if (!c.expression || NATIVE.has(c.key)) return;
    const id = `${path}|${c.key}`;
    if (seen.has(id)) return;
    seen.add(id);
    // every constraint tries its closure compiled from the FHIRPath first; where that does not decide, the library evaluates
    const fast: FastInvariant | undefined = compileFast(fhirpathForEvaluation(c.expression));
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
      return;
    }
    groups.get(path)!.constraints.push({ ...c, run, ...(fast ? { fast } : {}) });
  };
  for (const node of tree.byId.values()) {
    const path = node.path.replace(/\[x\]/g, '');
    for (const c of node.constraints) add(path, c);
    if (node.children.length || node.path === tree.root.path) continue;
    for (const t of node.types) {
      if (isPrimitiveType(t.code) || t.code === 'Resource' || t.code === 'BackboneElement' || t.code === 'Element') continue;
      const typeTree = model.typeTree(t.code);
      if (!typeTree || typeTree.sd.kind !== 'complex-type') continue;
      const typedPath = node.name.endsWith('[x]') && node.types.length > 1 ? `${path}.ofType(${t.code})` : path;
      for (const c of typeTree.root.constraints) add(typedPath, c);
    }
  }
  for (const group of groups.values()) group.allFast = group.constraints.every((c) => c.fast);
  return { groups: [...groups.values()], notRunnable };
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
  for (const group of plan.groups) {
    // A path whose first element is absent selects nothing (most groups of a profile, on most resources).
    if (group.requires && isObject(resource) && !group.requires.some((key) => resource[key] !== undefined)) continue;
    // Groups whose constraints all have closures, on a plain path, skip the library entirely
    // (unless a closure cannot decide on this resource: then the whole group goes to the library).
    if (group.plain && group.allFast) {
      const selected = selectSteps(resource, group.plain);
      if (selected) {
        const found: InvariantFailure[] = [];
        let decided = true;
        check: for (const { value, path, location } of selected) {
          for (const c of group.constraints) {
            const ok = c.fast!(value, path, env, true);
            if (ok === undefined) {
              decided = false;
              break check;
            }
            if (!ok) found.push({ constraint: c, location });
          }
        }
        if (decided) {
          failures.push(...found);
          continue;
        }
      }
    }
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
