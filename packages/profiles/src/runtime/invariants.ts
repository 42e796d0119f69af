/**
 * FHIRPath invariants of the profiles, run with the fhirpath library and its R4 model. Each list is
 * compiled once, on first use.
 */
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';

export interface InvariantData {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** Element path the constraint sits on, e.g. `Observation.component`. */
  path: string;
  source?: string;
}

export interface InvariantFailure {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** Where it failed, with indexes: `Observation.component[1]`. */
  location: string;
  /** Set when the expression could not be evaluated on this input. */
  evaluationError?: string;
}

type Node = { fullPropertyName?: () => string };
type Compiled = {
  data: InvariantData;
  /** Selects the nodes at the element path, keeping their FHIR types (so `as dateTime` works). */
  select: (resource: unknown) => Node[];
  run: (node: Node, env: Record<string, unknown>) => unknown[];
};

const compiledLists = new WeakMap<readonly InvariantData[], Compiled[]>();
const selectors = new Map<string, Compiled['select']>();

function selector(path: string): Compiled['select'] {
  const fhirPath = path.replace(/\[x\]/g, '');
  let select = selectors.get(fhirPath);
  if (!select) {
    const fn = fhirpath.compile(fhirPath, r4Model, { resolveInternalTypes: false });
    select = (resource) => fn(resource as object) as Node[];
    selectors.set(fhirPath, select);
  }
  return select;
}

function compileAll(list: readonly InvariantData[]): Compiled[] {
  let compiled = compiledLists.get(list);
  if (!compiled) {
    compiled = list.map((data) => {
      // trace() output (dom-3 uses it) is diagnostic noise for a validator: swallow it.
      const fn = fhirpath.compile(data.expression, r4Model, { traceFn: () => undefined });
      return { data, select: selector(data.path), run: (node, env) => fn(node as object, env) as unknown[] };
    });
    compiledLists.set(list, compiled);
  }
  return compiled;
}

/** Runs the invariants on a resource; returns those that do not hold (or could not be evaluated). */
export function checkInvariants(resource: unknown, list: readonly InvariantData[]): InvariantFailure[] {
  const failures: InvariantFailure[] = [];
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return failures;
  const env = { resource, rootResource: resource };
  for (const { data, select, run } of compileAll(list)) {
    let nodes: Node[];
    try {
      nodes = select(resource);
    } catch (e) {
      failures.push({ ...pick(data), location: data.path, evaluationError: (e as Error).message });
      continue;
    }
    for (const node of nodes) {
      const location = typeof node?.fullPropertyName === 'function' ? node.fullPropertyName() : data.path;
      let result: unknown[];
      try {
        result = run(node, env);
      } catch (e) {
        failures.push({ ...pick(data), location, evaluationError: (e as Error).message });
        continue;
      }
      // An invariant holds when it evaluates to true; empty or false fails it.
      if (!(result.length === 1 && result[0] === true)) failures.push({ ...pick(data), location });
    }
  }
  return failures;
}

const pick = (d: InvariantData) => ({ key: d.key, severity: d.severity, human: d.human, expression: d.expression });
