import type * as fhir4 from 'fhir/r4.js';
import type { Issue, IssueCode, IssueSeverity } from './issue.js';

/**
 * The extension the HL7 Java validator puts the message id in (FHIR extensions pack); readers
 * that match on ids find it there.
 */
export const MESSAGE_ID_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id';

/** An issue of our OperationOutcomes: the R4 shape with what we always fill in made required. */
export interface OutcomeIssue extends fhir4.OperationOutcomeIssue {
  severity: IssueSeverity;
  code: IssueCode;
  details: { text: string };
  diagnostics: string;
  expression?: string[];
}

export interface OperationOutcome extends fhir4.OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OutcomeIssue[];
}

const NO_ISSUE = 'No issues detected during validation';

/**
 * Issues as an OperationOutcome, the one mapping of the toolkit: the message in `details.text`
 * (where the HL7 validator writes it) and in `diagnostics` (where Mon espace santé writes it),
 * the location as `expression`, the message id in the HL7 message-id extension. No issue at all
 * is one informational issue, as a FHIR server answers.
 */
export function toOperationOutcome(issues: readonly Issue[]): OperationOutcome {
  if (issues.length === 0) {
    return {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', details: { text: NO_ISSUE }, diagnostics: NO_ISSUE }],
    };
  }
  const out: OutcomeIssue[] = [];
  for (let i = 0; i < issues.length; i++) out.push(outcomeIssue(issues[i]!));
  return { resourceType: 'OperationOutcome', issue: out };
}

/** One issue, its names in the order FHIR lists them; each variant one object literal (one allocation, one shape). */
function outcomeIssue({ severity, code, location, message, id }: Issue): OutcomeIssue {
  const details = { text: message };
  if (id) {
    const extension = [{ url: MESSAGE_ID_EXTENSION, valueString: id }];
    return location
      ? { extension, severity, code, details, diagnostics: message, expression: [location] }
      : { extension, severity, code, details, diagnostics: message };
  }
  return location ? { severity, code, details, diagnostics: message, expression: [location] } : { severity, code, details, diagnostics: message };
}

/** True when the outcome has no error or fatal issue. */
export function isValid(outcome: { issue: ReadonlyArray<{ severity: string }> }): boolean {
  return !outcome.issue.some((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** The message id of an OperationOutcome issue (the HL7 message-id extension), if any. */
export function messageIdOf(issue: fhir4.OperationOutcomeIssue): string | undefined {
  return issue.extension?.find((e) => e.url === MESSAGE_ID_EXTENSION)?.valueString;
}
