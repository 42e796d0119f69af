/**
 * What a failed call is: one error type carrying the HTTP status, MES's OperationOutcome and a
 * stable code an app can switch on, whether the answer came from MES (its words) or the sandbox
 * (its message ids).
 */
import type * as fhir4 from 'fhir/r4.js';
import { isObject, MES_MESURES_RULES, mesRuleOf, messageIdOf, type MesMesuresRuleId } from '@mes-fhir/core';

/** Why a call failed, when no MES rule says more. */
export type MesFailure =
  | 'bad-request'
  | 'invalid-token'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'rate-limited'
  | 'unavailable'
  | 'server-error'
  | 'network'
  | 'timeout'
  | 'aborted'
  /** The user refused the pairing (OAuth `access_denied`). */
  | 'access-denied'
  /** Refused before sending by the local check the client was given (`check`). */
  | 'invalid-locally';

/** The rule of MES a 422 names (`mes-bmi-not-creatable`…), else why the call failed. */
export type MesErrorCode = MesMesuresRuleId | MesFailure;

const BY_STATUS: Record<number, MesFailure> = {
  400: 'bad-request',
  401: 'invalid-token',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  422: 'unprocessable',
  429: 'rate-limited',
  503: 'unavailable',
};

export class MesApiError extends Error {
  override readonly name = 'MesApiError';
  constructor(
    /** Stable: the MES rule the answer names, else the kind of failure. */
    readonly code: MesErrorCode,
    message: string,
    /** The HTTP status; 0 when no answer came (network, timeout, aborted). */
    readonly status: number,
    /** The OperationOutcome of the answer, when it had one. */
    readonly outcome?: fhir4.OperationOutcome,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The error of an HTTP answer that is not a success. */
  static fromResponse(status: number, body: unknown): MesApiError {
    const outcome = isObject(body) && body.resourceType === 'OperationOutcome' ? (body as unknown as fhir4.OperationOutcome) : undefined;
    const issues = outcome?.issue ?? [];
    const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    const first = errors[0] ?? issues[0];
    const words = first ? (first.diagnostics ?? first.details?.text ?? '') : oauthWords(body);
    // the sandbox names its rules; MES says them in its words
    let rule: MesMesuresRuleId | undefined;
    for (const issue of errors) {
      const id = messageIdOf(issue);
      rule = id !== undefined && isRule(id) ? id : mesRuleOf(issue.diagnostics ?? issue.details?.text ?? '');
      if (rule) break;
    }
    const code = rule ?? BY_STATUS[status] ?? (status >= 500 ? 'server-error' : 'bad-request');
    return new MesApiError(code, `HTTP ${status}${words ? `: ${words}` : ''}`, status, outcome);
  }
}

/** An OAuth error answer (`{ error, error_description }`), as the token endpoint gives it. */
function oauthWords(body: unknown): string {
  if (!isObject(body)) return '';
  return [body.error, body.error_description].filter((w) => typeof w === 'string').join(': ');
}

const isRule = (id: string): id is MesMesuresRuleId => Object.hasOwn(MES_MESURES_RULES, id);
