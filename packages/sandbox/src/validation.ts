import type { Validator } from '@mes-fhir/validator';
import type { OutcomeIssue } from './fhir.js';

/**
 * The validator's errors for a resource against a profile, as answer issues. An error that
 * repeats a rule already reported in MES's words (the profiles quote them) is left out.
 */
export function validationIssues(validator: Validator, resource: unknown, profile: string, already: OutcomeIssue[] = []): OutcomeIssue[] {
  return validator
    .validateToIssues(resource, { profile })
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .filter((i) => !already.some((a) => i.message.includes(a.diagnostics)))
    .map((i) => ({
      severity: i.severity,
      code: i.code,
      diagnostics: i.message,
      ...(i.location ? { expression: [i.location] } : {}),
    }));
}
