/**
 * MES's pairing from the app's side: the OAuth 2.0 authorization code grant with PKCE (S256). The
 * app sends the user to `startPairing`'s url, keeps its state and verifier, and when the user comes
 * back to its redirect uri hands that url to `finishPairing`, which gives the paired patient and a
 * token source that refreshes itself (the refresh token rotates at each use).
 */
import { bytesToBase64 } from '@mes-fhir/cda';
import { MesApiError } from './errors.js';
import type { TokenSource } from './tokens.js';

export interface PairingRequest {
  /** The authorization endpoint (the sandbox's is `<base>/oauth/authorize`). */
  authorizeUrl: string;
  clientId: string;
  /** One of the app's registered redirect uris. */
  redirectUri: string;
  /** The APIs asked for (the sandbox's scopes: mesures.read, mesures.write, documents, agenda). */
  scope: string[];
}

export interface PairingStart {
  /** Where to send the user. */
  url: string;
  /** Keep both until the user comes back (a session, not a cookie readable by scripts). */
  state: string;
  codeVerifier: string;
}

export interface PairedTokens extends TokenSource {
  /** The patient as MES knows them for this app. */
  patient: { oid: string; idPe: string };
  /** The scopes granted. */
  scope: string;
  /** The current refresh token, for the app to keep (it changes at each refresh). */
  refreshToken(): string;
}

const base64url = (bytes: Uint8Array) =>
  bytesToBase64(bytes)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/={1,2}$/, '');
const random = (bytes: number) => base64url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));

export async function startPairing(request: PairingRequest): Promise<PairingStart> {
  const codeVerifier = random(48);
  const challenge = base64url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))));
  const state = random(24);
  const url = new URL(request.authorizeUrl);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  return { url: url.toString(), state, codeVerifier };
}

export interface PairingFinish {
  /** The token endpoint (the sandbox's is `<base>/oauth/token`). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** What startPairing gave. */
  state: string;
  codeVerifier: string;
  /** The url the user came back to (with `code` and `state`, or `error`). */
  callbackUrl: string;
  fetch?: typeof fetch;
}

export async function finishPairing(finish: PairingFinish): Promise<PairedTokens> {
  const back = new URL(finish.callbackUrl).searchParams;
  // a callback for another request (or forged) is refused before any code is used
  if (back.get('state') !== finish.state) throw new MesApiError('bad-request', 'the state of the callback is not the one this pairing sent', 0);
  const error = back.get('error');
  if (error)
    throw new MesApiError(
      error === 'access_denied' ? 'access-denied' : 'bad-request',
      `pairing refused: ${error}${back.get('error_description') ? `: ${back.get('error_description')}` : ''}`,
      0,
    );
  const code = back.get('code');
  if (!code) throw new MesApiError('bad-request', 'the callback has neither code nor error', 0);
  const fetchFn = finish.fetch ?? globalThis.fetch.bind(globalThis);
  const post = async (form: Record<string, string>) => {
    const res = await fetchFn(finish.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, client_id: finish.clientId, client_secret: finish.clientSecret }),
      signal: AbortSignal.timeout(30_000),
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw MesApiError.fromResponse(res.status, json);
    return json as { access_token: string; refresh_token: string; expires_in?: number; scope: string; patient: { oid: string; idPe: string } };
  };
  let answer = await post({ grant_type: 'authorization_code', code, redirect_uri: finish.redirectUri, code_verifier: finish.codeVerifier });
  const expiry = () => Date.now() + Math.max(0, (answer.expires_in ?? 3600) - 60) * 1000;
  let expiresAt = expiry();
  let kept: string | undefined = answer.access_token;
  let pending: Promise<string> | undefined;
  return {
    patient: { oid: answer.patient.oid, idPe: answer.patient.idPe },
    scope: answer.scope,
    refreshToken: () => answer.refresh_token,
    token() {
      if (kept && Date.now() < expiresAt) return Promise.resolve(kept);
      pending ??= post({ grant_type: 'refresh_token', refresh_token: answer.refresh_token })
        .then((next) => {
          answer = next;
          expiresAt = expiry();
          kept = next.access_token;
          return next.access_token;
        })
        .finally(() => (pending = undefined));
      return pending;
    },
    invalidate() {
      kept = undefined;
    },
  };
}
