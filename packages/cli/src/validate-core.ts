import { escapeControlCharacters } from '@mes-fhir/core';
import { Validator, isValid, toOperationOutcome, type OperationOutcome, type ValidateOptions } from '@mes-fhir/validator';

/** The HL7 extensions that place an outcome in its input: the file (on the outcome), the line (on each issue). */
const FILE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-file';
const LINE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line';

/** One resource to validate, as read: raw JSON (NDJSON lines), parsed JSON, XML, a blank line, or why it could not be read. */
export interface Input {
  /** The file (or `stdin`), with `:line` for a line of NDJSON. */
  label: string;
  file: string;
  /** The line of an NDJSON input, from 1. */
  line?: number;
  /** A blank line of NDJSON: no resource, but an output line, so that outputs and input lines correspond. */
  blank?: boolean;
  /** JSON text not parsed yet (parsed where it is validated: in a worker when there are workers). */
  json?: string;
  resource?: unknown;
  parseError?: string;
  /** FHIR XML, read once the definitions are loaded. */
  xml?: string;
}

export interface Checked {
  /** What the command prints for this resource (text or one NDJSON line). */
  text: string;
  errors: number;
  warnings: number;
  failed: boolean;
  /** A blank line: printed, not counted as a resource. */
  blank?: boolean;
}

export interface CheckSettings {
  format: 'text' | 'json';
  failOn: 'error' | 'warning';
}

/** The outcome of one input and its printed form: the same in the main thread and in a worker. */
export function checkInput(validator: Validator, input: Input, options: ValidateOptions, settings: CheckSettings): Checked {
  let outcome: OperationOutcome;
  if (input.blank) outcome = toOperationOutcome([{ severity: 'information', code: 'informational', location: '', message: 'blank line: no resource' }]);
  else if (input.parseError)
    outcome = toOperationOutcome([{ severity: 'error', code: 'structure', location: '', message: input.parseError, id: 'json-unreadable' }]);
  else if (input.json !== undefined) outcome = validator.validateJson(input.json, options);
  else if (input.xml !== undefined) outcome = validator.validateXml(input.xml, options);
  else outcome = validator.validate(input.resource, options);
  const errors = outcome.issue.filter((x) => x.severity === 'error' || x.severity === 'fatal').length;
  const warnings = outcome.issue.filter((x) => x.severity === 'warning').length;
  const failed = !isValid(outcome) || (settings.failOn === 'warning' && warnings > 0);
  let text: string;
  if (settings.format === 'json') text = `${JSON.stringify(placed(outcome, input))}\n`;
  else if (input.blank) text = `blank   ${escapeControlCharacters(input.label)}\n`;
  else {
    // names and messages come from the input: a newline or an ANSI escape in them must not forge or rewrite a line
    text = `${failed ? 'INVALID' : 'valid  '} ${escapeControlCharacters(input.label)} (${errors} errors, ${warnings} warnings)\n`;
    for (const issue of outcome.issue) {
      if (issue.severity === 'information') continue;
      text += `  ${issue.severity.padEnd(7)} ${escapeControlCharacters(issue.expression?.[0] ?? '').padEnd(40)} ${escapeControlCharacters(issue.details.text)}\n`;
    }
  }
  return { text, errors, warnings, failed, blank: input.blank };
}

/** The outcome with its input's file, and each issue with its line when the input is a line. */
function placed(outcome: OperationOutcome, input: Input): OperationOutcome {
  const line = input.line;
  return {
    ...outcome,
    extension: [...(outcome.extension ?? []), { url: FILE_EXTENSION, valueString: input.file }],
    issue:
      line === undefined
        ? outcome.issue
        : outcome.issue.map((i) => ({ ...i, extension: [...(i.extension ?? []), { url: LINE_EXTENSION, valueInteger: line }] })),
  };
}
