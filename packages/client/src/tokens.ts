/**
 * Access tokens: where the client gets the bearer token of each call. A source keeps its token
 * until shortly before it expires and fetches a new one then, or when the API refused the last one.
 */
import { MesApiError } from './errors.js';

/** How long the token endpoint may take to answer. */
const TOKEN_TIMEOUT_MS = 30_000;

export interface TokenSource {
  /** A token valid now (fetched, or kept from before); the caller's signal may stop the wait. */
  token(signal?: AbortSignal): Promise<string>;
  /** Forget the kept token (the API answered 401): the next call fetches another. */
  invalidate(): void;
}

export interface ClientCredentials {
  /** The token endpoint (the sandbox's is `<base>/oauth/token`). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** A token is renewed this many seconds before it expires (default 60). */
  renewBeforeSeconds?: number;
}

/**
 * The OAuth 2.0 client-credentials grant (RFC 6749 §4.4), credentials in the body as the sandbox
 * takes them. Concurrent calls share one token request.
 */
export function clientCredentials(options: ClientCredentials): TokenSource {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const renewBefore = (options.renewBeforeSeconds ?? 60) * 1000;
  let kept: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  // shared by the calls waiting for it: one caller's AbortSignal must not fail the others, so it has its own time limit
  const request = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret });
    const res = await fetchFn(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw MesApiError.fromResponse(res.status, json);
    const answer = json as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer?.access_token !== 'string') throw new MesApiError('server-error', 'the token endpoint answered no access_token', res.status);
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 3600_000;
    kept = { token: answer.access_token, expiresAt: Date.now() + lifetime - Math.min(renewBefore, lifetime / 2) };
    return answer.access_token;
  };
  return {
    token() {
      if (kept && Date.now() < kept.expiresAt) return Promise.resolve(kept.token);
      pending ??= request().finally(() => (pending = undefined));
      return pending;
    },
    invalidate() {
      kept = undefined;
    },
  };
}
