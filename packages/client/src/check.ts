/**
 * The optional check before sending: an app that passes `checkResource` of @mes-fhir/profiles
 * (or any function of that shape) gets refusals before the network, with the same issues. Left
 * out, the client does not pull the profiles' schemas into an app's bundle.
 */
import { toOperationOutcome, type Issue } from '@mes-fhir/core';
import { MesApiError } from './errors.js';

export type LocalCheck = (resource: unknown, profile?: string) => { valid: boolean; issues: Issue[] };

/** Throws `invalid-locally` when the check finds an error. */
export function checkBeforeSending(check: LocalCheck | undefined, resource: unknown, profile: string): void {
  if (!check) return;
  const { valid, issues } = check(resource, profile);
  if (valid) return;
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const first = errors[0];
  throw new MesApiError(
    'invalid-locally',
    `not sent: ${errors.length} error(s) against ${profile}${first ? `, first ${first.location}: ${first.message}` : ''}`,
    0,
    toOperationOutcome(errors),
  );
}
