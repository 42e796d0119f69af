/** Issue types used, as the HL7 Java validator uses them (http://hl7.org/fhir/issue-type). */
export type IssueCode =
  | 'structure'
  | 'invalid'
  | 'required'
  | 'value'
  | 'invariant'
  | 'code-invalid'
  | 'business-rule'
  | 'not-found'
  | 'not-supported'
  | 'processing'
  | 'too-long'
  | 'informational';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export interface ValidationIssue {
  severity: IssueSeverity;
  code: IssueCode;
  /** FHIRPath-style location: `Observation.component[1].code`. */
  location: string;
  message: string;
  /** Invariant key, for invariant failures. */
  key?: string;
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: Array<{
    severity: IssueSeverity;
    code: IssueCode;
    details: { text: string };
    expression?: string[];
    diagnostics?: string;
  }>;
}

export function toOperationOutcome(issues: ValidationIssue[]): OperationOutcome {
  if (issues.length === 0) {
    return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text: 'No issues detected during validation' } }] };
  }
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => {
      const issue: OperationOutcome['issue'][number] = { severity: i.severity, code: i.code, details: { text: i.message } };
      if (i.location) issue.expression = [i.location];
      if (i.key) issue.diagnostics = i.key;
      return issue;
    }),
  };
}

/** True when the outcome has no error or fatal issue. */
export function isValid(outcome: OperationOutcome): boolean {
  return !outcome.issue.some((i) => i.severity === 'error' || i.severity === 'fatal');
}
