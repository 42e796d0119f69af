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

/** A token endpoint's answer (RFC 6749 §5.1), with the pairing MES's adds to it. */
export interface TokenAnswer {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  patient?: { oid: string; idPe: string };
}

/** POSTs a grant to a token endpoint, the client's credentials in the body; an error answer is a MesApiError. */
export function tokenEndpoint(o: { tokenUrl: string; clientId: string; clientSecret: string; fetch?: typeof fetch }) {
  const fetchFn = o.fetch ?? globalThis.fetch.bind(globalThis);
  return async (grant: Record<string, string>): Promise<TokenAnswer> => {
    const res = await fetchFn(o.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...grant, client_id: o.clientId, client_secret: o.clientSecret }),
      // shared by the calls waiting for it: one caller's AbortSignal must not fail the others, so it has its own time limit
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw MesApiError.fromResponse(res.status, json);
    if (typeof (json as TokenAnswer | undefined)?.access_token !== 'string')
      throw new MesApiError('server-error', 'the token endpoint answered no access_token', res.status);
    return json as TokenAnswer;
  };
}

/**
 * A token source over a way to obtain a new token: each token is kept until shortly before it
 * expires (never more than half its life), and concurrent calls share one request.
 */
export function renewingSource(obtain: () => Promise<TokenAnswer>, options: { first?: TokenAnswer; renewBeforeSeconds?: number } = {}): TokenSource {
  const renewBefore = (options.renewBeforeSeconds ?? 60) * 1000;
  let kept: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const keep = (answer: TokenAnswer): string => {
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in * 1000 : 3600_000;
    kept = { token: answer.access_token, expiresAt: Date.now() + lifetime - Math.min(renewBefore, lifetime / 2) };
    return answer.access_token;
  };
  if (options.first) keep(options.first);
  return {
    token() {
      if (kept && Date.now() < kept.expiresAt) return Promise.resolve(kept.token);
      pending ??= obtain()
        .then(keep)
        .finally(() => (pending = undefined));
      return pending;
    },
    invalidate() {
      kept = undefined;
    },
  };
}

/** The OAuth 2.0 client-credentials grant (RFC 6749 §4.4), credentials in the body as the sandbox takes them. */
export function clientCredentials(options: ClientCredentials): TokenSource {
  const post = tokenEndpoint(options);
  return renewingSource(() => post({ grant_type: 'client_credentials' }), { renewBeforeSeconds: options.renewBeforeSeconds });
}
