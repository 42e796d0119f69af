import { Validator, isValid, toOperationOutcome, type OperationOutcome, type ValidateOptions } from '@mes-fhir/validator';

/** One resource to validate, as read: raw JSON (NDJSON lines), parsed JSON, XML, or why it could not be read. */
export interface Input {
  label: string;
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
}

export interface CheckSettings {
  format: 'text' | 'json';
  failOn: 'error' | 'warning';
}

/** The outcome of one input and its printed form: the same in the main thread and in a worker. */
export function checkInput(validator: Validator, input: Input, options: ValidateOptions, settings: CheckSettings): Checked {
  let outcome: OperationOutcome;
  if (input.parseError)
    outcome = toOperationOutcome([{ severity: 'error', code: 'structure', location: '', message: input.parseError, id: 'json-unreadable' }]);
  else if (input.json !== undefined) outcome = validator.validateJson(input.json, options);
  else if (input.xml !== undefined) outcome = validator.validateXml(input.xml, options);
  else outcome = validator.validate(input.resource, options);
  const errors = outcome.issue.filter((x) => x.severity === 'error' || x.severity === 'fatal').length;
  const warnings = outcome.issue.filter((x) => x.severity === 'warning').length;
  const failed = !isValid(outcome) || (settings.failOn === 'warning' && warnings > 0);
  let text: string;
  if (settings.format === 'json') text = `${JSON.stringify(outcome)}\n`;
  else {
    text = `${failed ? 'INVALID' : 'valid  '} ${input.label} (${errors} errors, ${warnings} warnings)\n`;
    for (const issue of outcome.issue) {
      if (issue.severity === 'information') continue;
      text += `  ${issue.severity.padEnd(7)} ${(issue.expression?.[0] ?? '').padEnd(40)} ${issue.details.text}\n`;
    }
  }
  return { text, errors, warnings, failed };
}
