/**
 * For the tests: what the selection tree selects for a plain path, seen from outside — a plan
 * whose one constraint (`false`) fails wherever it is checked, with the library's selector made to
 * throw, so that a selection left to the library shows as an error.
 */
import { planOf, runInvariants } from './plan.js';

/** The FHIRPath locations the tree selects for a plain path, or undefined when it leaves the selection to the library. */
export function selectPlain(resource: unknown, path: string): string[] | undefined {
  const plan = planOf([{ path, constraint: { key: 'probe', severity: 'error', human: 'probe', expression: 'false' } }]);
  const group = plan.groups[0];
  if (!group?.inSelection) return undefined;
  group.select = () => {
    throw new Error('selected by the library');
  };
  const failures = runInvariants(plan, resource, { resource, rootResource: resource });
  return failures.some((f) => f.error) ? undefined : failures.map((f) => f.location);
}
