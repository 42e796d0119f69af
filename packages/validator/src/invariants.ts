import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { fhirpathForEvaluation, isPrimitiveType, type Constraint, type ProfileTree, type StructureModel } from '@mes-fhir/profile-model';

type FhirPathNode = { fullPropertyName?: () => string };

export interface InvariantGroup {
  /** FHIRPath selecting the elements the constraints sit on (`Observation.value.ofType(Quantity)`). */
  path: string;
  select: (resource: unknown) => FhirPathNode[];
  constraints: Array<Constraint & { run: (node: FhirPathNode, env: Record<string, unknown>) => unknown[] }>;
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
    let run;
    try {
      run = compileExpression(c.expression);
      if (!groups.has(path)) groups.set(path, { path, select: compileSelector(path), constraints: [] });
    } catch (e) {
      notRunnable.push({ key: c.key, path, reason: (e as Error).message.split('\n')[0] ?? 'cannot compile' });
      return;
    }
    groups.get(path)!.constraints.push({ ...c, run });
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
  return { groups: [...groups.values()], notRunnable };
}

export interface InvariantFailure {
  constraint: Constraint;
  location: string;
  error?: string;
}

/** Runs a plan on one resource. `env` carries %resource and %rootResource. */
export function runInvariants(plan: InvariantPlan, resource: unknown, env: Record<string, unknown>): InvariantFailure[] {
  const failures: InvariantFailure[] = [];
  for (const group of plan.groups) {
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
