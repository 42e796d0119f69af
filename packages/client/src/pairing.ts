/**
 * MES's pairing from the app's side: the OAuth 2.0 authorization code grant with PKCE (S256). The
 * app sends the user to `startPairing`'s url, keeps its state and verifier, and when the user comes
 * back to its redirect uri hands that url to `finishPairing`, which gives the paired patient and a
 * token source that refreshes itself (the refresh token rotates at each use, and each new one goes
 * to the app's store). `resumePairing` starts again from the stored refresh token after a restart.
 */
import { bytesToBase64 } from '@mes-fhir/cda';
import { MesApiError } from './errors.js';
import { renewingSource, tokenEndpoint, type TokenAnswer, type TokenSource } from './tokens.js';

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

/** Where the app keeps a patient's refresh token between runs: it changes at each refresh. */
export interface RefreshTokenStore {
  load(): Promise<string | undefined> | string | undefined;
  save(refreshToken: string): Promise<void> | void;
}

/** A store in memory (the default): enough for one process; keep it in your database to resume after a restart. */
export function memoryStore(initial?: string): RefreshTokenStore {
  let kept = initial;
  return { load: () => kept, save: (token) => void (kept = token) };
}

export async function finishPairing(finish: PairingFinish & { store?: RefreshTokenStore }): Promise<PairedTokens> {
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
  const post = tokenEndpoint(finish);
  const answer = await post({ grant_type: 'authorization_code', code, redirect_uri: finish.redirectUri, code_verifier: finish.codeVerifier });
  return pairedTokens(post, answer, finish.store ?? memoryStore());
}

/** A pairing made before (its refresh token in the store): new tokens, the patient, and the store kept up to date. */
export async function resumePairing(options: {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  store: RefreshTokenStore;
  fetch?: typeof fetch;
}): Promise<PairedTokens> {
  const refreshToken = await options.store.load();
  if (!refreshToken) throw new MesApiError('invalid-token', 'no refresh token in the store: pair again', 0);
  const post = tokenEndpoint(options);
  return pairedTokens(post, await post({ grant_type: 'refresh_token', refresh_token: refreshToken }), options.store);
}

/** Tokens that refresh themselves before they expire, saving each new refresh token. */
async function pairedTokens(
  post: (grant: Record<string, string>) => Promise<TokenAnswer>,
  first: TokenAnswer,
  store: RefreshTokenStore,
): Promise<PairedTokens> {
  if (!first.refresh_token || !first.patient)
    throw new MesApiError('server-error', 'the token endpoint answered no refresh_token or patient for a pairing', 200);
  let refreshToken = first.refresh_token;
  await store.save(refreshToken);
  const source = renewingSource(
    async () => {
      const next = await post({ grant_type: 'refresh_token', refresh_token: refreshToken });
      if (next.refresh_token) {
        refreshToken = next.refresh_token;
        await store.save(refreshToken);
      }
      return next;
    },
    { first },
  );
  return { ...source, patient: { oid: first.patient.oid, idPe: first.patient.idPe }, scope: first.scope ?? '', refreshToken: () => refreshToken };
}
