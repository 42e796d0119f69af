import type { Validator } from '@mes-fhir/validator';
import { isError, type Issue } from '@mes-fhir/core';

/** Validation as the routes ask for it: in worker threads (validation-workers.ts) or, for tests and tools, in process. */
export interface Validation {
  /** The issues of a resource against a profile; rejects with a FhirError when validation cannot answer in time. */
  issuesOf(resource: unknown, profile: string): Promise<Issue[]>;
}

/** Validation on the calling thread: simple, but a slow request holds every other request while it runs. */
export function inProcess(validator: Validator): Validation {
  return { issuesOf: async (resource, profile) => validator.validateToIssues(resource, { profile }) };
}

/**
 * The validator's errors for a resource against a profile. An invariant's failure that repeats a
 * rule already reported in MES's words (`already`, issues that carry that invariant's key) is left
 * out: one problem, one issue.
 */
export async function validationIssues(validation: Validation, resource: unknown, profile: string, already: Issue[] = []): Promise<Issue[]> {
  const reported = new Set(already.map((a) => a.key).filter(Boolean));
  return (await validation.issuesOf(resource, profile)).filter((i) => isError(i) && !(i.key && reported.has(i.key)));
}
