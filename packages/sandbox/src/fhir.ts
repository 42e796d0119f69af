/** OperationOutcome answers and the error type routes throw to produce them. */

export type Severity = 'fatal' | 'error' | 'warning' | 'information';

export interface OutcomeIssue {
  severity: Severity;
  code: string;
  diagnostics: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OutcomeIssue[];
}

export function outcome(issues: OutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** A FHIR error answer: HTTP status and the OperationOutcome that explains it. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: OutcomeIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(issues.map((i) => i.diagnostics).join('; '));
  }

  static of(status: number, code: string, diagnostics: string, expression?: string): FhirError {
    return new FhirError(status, [{ severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) }]);
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `system|value` of an Identifier, the form stored and searched. */
export function identifierKey(identifier: unknown): string | undefined {
  if (!isObject(identifier) || typeof identifier.value !== 'string') return undefined;
  return `${typeof identifier.system === 'string' ? identifier.system : ''}|${identifier.value}`;
}

/** Instant of a FHIR date or dateTime (a partial date is its first instant, in UTC). */
export function instantOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))?)?)?$/.exec(value);
  if (!m) return undefined;
  const iso = m[4] ? value : `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}T00:00:00Z`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
