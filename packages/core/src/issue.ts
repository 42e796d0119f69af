/** The one issue type of mes-fhir: what a validator, a builder check or the sandbox reports. */

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** The FHIR R4 issue types (http://hl7.org/fhir/issue-type), as the HL7 Java validator uses them. */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'unknown'
  | 'expired'
  | 'forbidden'
  | 'suppressed'
  | 'processing'
  | 'not-supported'
  | 'duplicate'
  | 'multiple-matches'
  | 'not-found'
  | 'deleted'
  | 'too-long'
  | 'code-invalid'
  | 'extension'
  | 'too-costly'
  | 'business-rule'
  | 'conflict'
  | 'transient'
  | 'lock-error'
  | 'no-store'
  | 'exception'
  | 'timeout'
  | 'incomplete'
  | 'throttled'
  | 'informational';

export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  /** FHIRPath location from the resource's type: `Observation.component[1].code`; '' when none. */
  location: string;
  /** The text for people. Match on `id` (and `key`), never on this text. */
  message: string;
  /** The message's id in the catalogue of the package that reported it (`unknown-property`, `mes-device-reference-mandatory`). */
  id?: string;
  /** The invariant key, for an invariant's failure (`obs-6`, `mes-glu-unit`). */
  key?: string;
}

/** An error or a fatal issue: what makes a resource invalid. */
export function isError(issue: { severity: IssueSeverity }): boolean {
  return issue.severity === 'error' || issue.severity === 'fatal';
}
