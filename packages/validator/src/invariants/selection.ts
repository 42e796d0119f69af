/**
 * The selection of the elements invariants sit on, without the fhirpath library: the plain paths
 * of a plan's groups (`Observation.code.coding`, `Observation.value.ofType(Quantity)`) as one tree
 * of steps from the resource, so that shared prefixes are read once. A run visits the resource
 * along the tree and checks the constraints of the groups whose path ends at each value (coded
 * verdict, then closure), keeping their failures with FHIRPath's location (written out only for a
 * failure). What only FHIRPath resolves (a primitive's extensions, a resource inside, an unknown
 * type, a constraint neither decides) is handed to the library instead, for every group at or
 * below that step.
 */
import { isObject, type Json } from '@mes-fhir/core';
import type { Constraint } from '@mes-fhir/profile-model';
import { startOf, type EvaluationStart } from './fhirpath-compiler.js';
import type { InvariantGroup } from './plan.js';
import { cachedChildOf, choiceIn, isType, itemPath, type ChildCache } from './r4-model.js';

/** A step of the tree: the paths that end here (by their index) and the steps below; `within` lists every path at or below. */
export interface SelectionNode {
  step: string;
  /** The step's child in the R4 model, for the last parent path seen. */
  site: ChildCache;
  ofType?: string;
  groups: number[];
  children: SelectionNode[];
  within: number[];
}

/** The steps of a plain dotted path, or undefined (functions other than ofType…). */
export function plainSteps(path: string): string[] | undefined {
  return /^[A-Za-z]+(\.([A-Za-z]+|ofType\([A-Za-z]+\)))*$/.test(path) ? path.split('.') : undefined;
}

/** The tree of the plain paths given (undefined entries: not plain; paths from another root type stay out). */
export function selectionTree(paths: Array<string[] | undefined>): SelectionNode | undefined {
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

/** A location, written out only when asked: its parent, its FHIRPath name and its index in an array (-1: none). */
export interface Location {
  parent?: Location;
  name: string;
  index: number;
}

export function locationText(at: Location): string {
  const own = at.index >= 0 ? `${at.name}[${at.index}]` : at.name;
  return at.parent ? `${locationText(at.parent)}.${own}` : own;
}

/** One visit of the tree over a resource: failures per group, and the groups the library must take. */
export interface SelectionRun {
  groups: InvariantGroup[];
  env: Json;
  found: Array<Array<{ constraint: Constraint; at: Location }> | undefined>;
  /** Made on the first group that needs it (most runs need none). */
  library: Set<number> | undefined;
}

/** A visit of the tree from a resource; a resource of another type is the library's. */
export function visitResource(run: SelectionRun, tree: SelectionNode, resource: unknown): void {
  if (isObject(resource) && resource.resourceType === tree.step) visit(run, tree, resource, tree.step, tree.step, { name: tree.step, index: -1 });
  else toLibrary(run, tree);
}

function toLibrary(run: SelectionRun, node: SelectionNode): void {
  for (const g of node.within) (run.library ??= new Set()).add(g);
}

/** Checks the groups at a step on one selected value, then descends. */
function visit(run: SelectionRun, node: SelectionNode, value: unknown, type: string | undefined, path: string | undefined, at: Location): void {
  // one start for the closures of every group here (the value is known, its companion checked), made when one needs it
  let start: EvaluationStart | undefined;
  const groups = node.groups;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi]!;
    if (run.library?.has(g)) continue;
    const constraints = run.groups[g]!.constraints;
    for (let ci = 0; ci < constraints.length; ci++) {
      const c = constraints[ci]!;
      let ok: boolean | undefined;
      if (value !== undefined) {
        if (c.coded !== undefined) ok = c.coded(value, type);
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
