/** The error type routes throw to answer with an OperationOutcome, and the FHIR values routes read (identifiers, instants). */
import { isObject, type Issue, type IssueCode } from '@mes-fhir/core';

/** A FHIR error answer: HTTP status and the issues of the OperationOutcome that explains it. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: Issue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(issues.map((i) => i.message).join('; '));
  }

  static of(status: number, code: IssueCode, message: string, location = ''): FhirError {
    return new FhirError(status, [{ severity: 'error', code, location, message }]);
  }
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
