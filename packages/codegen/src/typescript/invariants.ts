import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { fhirpathForEvaluation, type ProfileTree } from '@mes-fhir/profile-model';

/** The data the generated invariants.ts holds; mirrors InvariantData of @mes-fhir/profiles' runtime. */
export interface InvariantData {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** The element path the constraint sits on (`Observation.component`). */
  path: string;
  source?: string;
}

export interface InvariantCollection {
  runnable: InvariantData[];
  /** Constraints whose FHIRPath the fhirpath library cannot compile, with the reason. */
  notRunnable: Array<InvariantData & { reason: string }>;
}

/**
 * Every constraint of a snapshot (own and inherited), once per element path and key, checked by
 * compiling its FHIRPath with the R4 model. Slice elements share their path with the sliced
 * element, so their constraints apply to every item at that path.
 */
export function collectInvariants(tree: ProfileTree): InvariantCollection {
  const seen = new Set<string>();
  const out: InvariantCollection = { runnable: [], notRunnable: [] };
  for (const node of tree.byId.values()) {
    for (const c of node.constraints) {
      if (!c.expression) continue;
      const id = `${node.path}|${c.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      // expression: the form the fhirpath library evaluates as R4 means it (see fhirpathForEvaluation)
      const data: InvariantData = {
        key: c.key,
        severity: c.severity,
        human: c.human,
        expression: fhirpathForEvaluation(c.expression),
        path: node.path,
        ...(c.source ? { source: c.source } : {}),
      };
      try {
        fhirpath.compile({ base: node.path.replace(/\[x\]/g, ''), expression: data.expression }, r4Model);
        out.runnable.push(data);
      } catch (e) {
        out.notRunnable.push({ ...data, reason: (e as Error).message.split('\n')[0] ?? 'cannot compile' });
      }
    }
  }
  return out;
}
