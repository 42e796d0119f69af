import type { Validator } from '@mes-fhir/validator';
import { isError, type Issue } from '@mes-fhir/core';

/**
 * The validator's errors for a resource against a profile. An invariant's failure that repeats a
 * rule already reported in MES's words (`already`, issues that carry that invariant's key) is left
 * out: one problem, one issue.
 */
export function validationIssues(validator: Validator, resource: unknown, profile: string, already: Issue[] = []): Issue[] {
  const reported = new Set(already.map((a) => a.key).filter(Boolean));
  return validator.validateToIssues(resource, { profile }).filter((i) => isError(i) && !(i.key && reported.has(i.key)));
}
