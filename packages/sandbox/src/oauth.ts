/**
 * Pairing as an app meets it at MES: the OAuth 2.0 authorization code grant (RFC 6749 §4.1) with
 * PKCE (RFC 7636, S256 only), a sign-in and consent page for the sandbox's test patients, refresh
 * tokens that rotate (a refresh token used twice revokes its whole family, RFC 6819 §5.2.2.3),
 * revocation (RFC 7009) and the server's metadata (RFC 8414). Codes and refresh tokens are kept in
 * memory: a restart ends them (access tokens, signed, survive it).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, SandboxApp } from './apps.js';
import { escapeMarkup } from '@mes-fhir/core';
import { FhirError } from './fhir.js';
import type { Database } from './database.js';
import { store } from './store.js';
import type { TokenService } from './tokens.js';

/** What an app may ask for: the APIs of MES. */
export const SCOPES: Record<string, string> = {
  'mesures.read': 'lire vos mesures de santé',
  'mesures.write': 'ajouter des mesures de santé',
  documents: 'publier et lire vos documents',
  agenda: 'gérer vos rendez-vous',
};
/** The scope a FHIR call needs, by the resource type its path starts with; undefined: no pairing's token may make it. */
export function scopeFor(method: string, url: string): string | undefined | null {
  const type = url.split('?')[0]!.split('/')[1] ?? '';
  if (type === '') return null; // POST [base]: decided by the API that takes the Bundle (transactionScope)
  if (type === 'Observation' || type === 'Device') return method === 'GET' || method === 'HEAD' ? 'mesures.read' : 'mesures.write';
  if (type === 'DocumentReference' || type === 'Binary') return 'documents';
  if (type === 'Appointment') return 'agenda';
  return undefined;
}

/** The scope a transaction Bundle needs, by the API that takes it. */
export function transactionScope(api: string): string | undefined {
  return ({ Mesures: 'mesures.write', Documents: 'documents', Agenda: 'agenda' } as Record<string, string>)[api];
}

/**
 * A pairing's token may make only the calls its scopes name (403 insufficient_scope, RFC 6750
 * §3.1); a client-credentials token, the sandbox's shortcut, is not limited. `null`: decided later.
 */
export function requireScope(caller: Caller, scope: string | undefined | null): void {
  if (!caller.pairing || scope === null) return;
  if (scope && caller.pairing.scopes.includes(scope)) return;
  const why = scope ? `this call needs the scope ${scope}, which the pairing did not grant` : 'this call is not open to a token from a pairing';
  throw new FhirError(403, [{ severity: 'error', code: 'forbidden', location: '', message: why }], {
    'WWW-Authenticate': `Bearer error="insufficient_scope"${scope ? `, scope="${scope}"` : ''}, error_description="${why}"`,
  });
}

/**
 * The largest body of an OAuth or consent request (a few form fields), refused 413 before it is
 * read: so it is never one a request thread handles (validation-workers.ts), whose memory holds
 * none of the codes and refresh tokens kept here.
 */
export const FORM_BODY_LIMIT = 64 * 1024;

const CODE_LIFETIME_MS = 60_000;
const REFRESH_LIFETIME_MS = 30 * 24 * 3600_000;
/** Bounds on what the server keeps for unfinished flows: a client that never exchanges its codes cannot grow them. */
const MAX_PENDING = 10_000;
const PATIENT_LABEL = /^[\p{L}\p{N} ._'-]{1,64}$/u;
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

interface Grant {
  clientId: string;
  oid: string;
  idPe: string;
  scope: string;
}
interface PendingCode extends Grant {
  redirectUri: string;
  challenge: string;
  expiresAt: number;
}
interface RefreshToken extends Grant {
  family: string;
  used: boolean;
  expiresAt: number;
}

export type TokenAnswer = { status: number; body: Record<string, unknown> };

const hash = (secret: string) => createHash('sha256').update(secret).digest('base64url');
/** Query or form parameters, each once (a repeated one counts by its first value). */
const single = (params: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(params && typeof params === 'object' ? params : {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
const oauthError = (status: number, error: string, description: string): TokenAnswer => ({ status, body: { error, error_description: description } });

export class AuthorizationServer {
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();

  constructor(
    private readonly db: Database,
    private readonly tokens: TokenService,
    private readonly apps: SandboxApp[],
  ) {}

  /** The authorization endpoint (page and decision), the revocation endpoint and the metadata. */
  register(server: FastifyInstance, base: (req: FastifyRequest) => string): void {
    server.get('/.well-known/oauth-authorization-server', async (req) => ({
      issuer: base(req),
      authorization_endpoint: `${base(req)}/oauth/authorize`,
      token_endpoint: `${base(req)}/oauth/token`,
      revocation_endpoint: `${base(req)}/oauth/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      scopes_supported: Object.keys(SCOPES),
    }));
    server.get('/oauth/authorize', async (req, reply) => this.authorize(single(req.query), reply, undefined));
    server.post('/oauth/authorize', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
      const form = single(req.body);
      return this.authorize(form, reply, form);
    });
    // the patient's "Mes applications": the apps paired with them, and withdrawing consent
    server.get('/mes-applications', async (req, reply) => this.myApps(reply, single(req.query).patient ?? ''));
    server.post('/mes-applications', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
      const form = single(req.body);
      const patient = form.patient ?? '';
      const app = this.apps.find((a) => a.clientId === form.client_id);
      if (app && PATIENT_LABEL.test(patient)) {
        const idPe = await store.unpair(this.db, app.clientId, patient);
        if (idPe) {
          this.revokePairing(app.clientId, idPe);
          // the app's report shows what it did next (grading/common-scenarios.ts)
          req.recordAs = { clientId: app.clientId, idPe };
        }
      }
      return this.myApps(reply, patient, app ? `Vous avez retiré votre consentement à ${app.name ?? app.clientId}.` : undefined);
    });
  }

  /**
   * GET: the page; POST: the user's decision. A request whose client or redirect uri is not
   * registered is answered here (never redirected: RFC 6749 §4.1.2.1); any other error goes back
   * to the app's redirect uri with the RFC's error code and its state.
   */
  private async authorize(params: Record<string, string>, reply: FastifyReply, decision: Record<string, string> | undefined) {
    const app = this.apps.find((a) => a.clientId === params.client_id);
    if (!app)
      return this.page(
        reply,
        400,
        'Application inconnue',
        `<p>Aucune application n'est enregistrée sous l'identifiant « ${escapeMarkup(String(params.client_id ?? ''))} ».</p>`,
      );
    const redirectUri = String(params.redirect_uri ?? '');
    if (!(app.redirectUris ?? []).includes(redirectUri))
      return this.page(
        reply,
        400,
        'Adresse de retour refusée',
        `<p>L'adresse de retour « ${escapeMarkup(redirectUri)} » n'est pas enregistrée pour ${escapeMarkup(app.name ?? app.clientId)}.</p>`,
      );
    const back = (query: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...query, ...(params.state ? { state: params.state } : {}) })) url.searchParams.set(k, v);
      return reply.code(302).header('Location', url.toString()).header('Cache-Control', 'no-store').send();
    };
    if (params.response_type !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code' });
    if (params.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge ?? ''))
      return back({ error: 'invalid_request', error_description: 'PKCE is required: code_challenge (S256 of the verifier) and code_challenge_method=S256' });
    const scopes = String(params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const unknown = scopes.find((s) => !SCOPES[s]);
    if (scopes.length === 0 || unknown)
      return back({ error: 'invalid_scope', error_description: unknown ? `unknown scope ${unknown}` : 'ask for at least one scope' });

    if (!decision) return this.consentPage(reply, app, params, scopes);
    if (decision.decision !== 'allow') return back({ error: 'access_denied', error_description: "l'usager a refusé" });
    const patient = String(decision.patient ?? '').trim();
    if (!PATIENT_LABEL.test(patient))
      return this.consentPage(reply, app, params, scopes, "Indiquez le nom du patient de test (lettres, chiffres, espace . _ ' -).");
    const pairing = await store.pair(this.db, app.clientId, app.oid, patient);
    const code = randomBytes(32).toString('base64url');
    this.keep(this.codes, hash(code), {
      clientId: app.clientId,
      oid: pairing.oid,
      idPe: pairing.idPe,
      scope: scopes.join(' '),
      redirectUri,
      challenge: params.code_challenge!,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    return back({ code });
  }

  /** The token endpoint's authorization_code and refresh_token grants, for an authenticated app. */
  async grant(app: SandboxApp, form: Record<string, string>): Promise<TokenAnswer> {
    if (form.grant_type === 'authorization_code') {
      const key = hash(String(form.code ?? ''));
      const pending = this.codes.get(key);
      // single use: taken out before anything is checked
      this.codes.delete(key);
      if (!pending || pending.expiresAt < Date.now() || pending.clientId !== app.clientId)
        return oauthError(400, 'invalid_grant', 'the code is unknown, expired, already used or not this client’s');
      if (form.redirect_uri !== pending.redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
      if (!PKCE_VERIFIER.test(form.code_verifier ?? '') || hash(form.code_verifier!) !== pending.challenge)
        return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge (PKCE S256)');
      return { status: 200, body: await this.issue(app, pending, randomBytes(16).toString('hex')) };
    }
    // refresh_token
    const key = hash(String(form.refresh_token ?? ''));
    const refresh = this.refreshTokens.get(key);
    if (!refresh || refresh.clientId !== app.clientId || refresh.expiresAt < Date.now())
      return oauthError(400, 'invalid_grant', 'the refresh token is unknown, expired, revoked or not this client’s');
    if (refresh.used) {
      // a refresh token presented twice was copied: end every token of its family
      this.revokeWhere((r) => r.family === refresh.family);
      return oauthError(400, 'invalid_grant', 'the refresh token was already used: its family is revoked');
    }
    refresh.used = true;
    return { status: 200, body: await this.issue(app, refresh, refresh.family) };
  }

  /** RFC 7009: a refresh token of this app ends with its family; an unknown token is not an error. */
  revoke(app: SandboxApp, token: string): void {
    const refresh = this.refreshTokens.get(hash(token));
    if (refresh && refresh.clientId === app.clientId) this.revokeWhere((r) => r.family === refresh.family);
  }

  /** Ends the refresh tokens that match: forgotten, so that nothing grows with revocations. */
  private revokeWhere(matches: (r: RefreshToken) => boolean): void {
    for (const [key, r] of this.refreshTokens) if (matches(r)) this.refreshTokens.delete(key);
  }

  /** Consent withdrawn: every refresh token of that pairing ends. */
  private revokePairing(clientId: string, idPe: string): void {
    this.revokeWhere((r) => r.clientId === clientId && r.idPe === idPe);
  }

  private async myApps(reply: FastifyReply, patient: string, done?: string) {
    if (!PATIENT_LABEL.test(patient))
      return this.page(
        reply,
        patient ? 400 : 200,
        'Mes applications',
        '<form method="get" action="/mes-applications"><p><label for="patient">Patient de test</label> <input id="patient" name="patient" required> <button type="submit">Voir</button></p></form>',
      );
    const paired = await store.appsOf(this.db, patient);
    const rows = paired
      .map(({ clientId }) => {
        const app = this.apps.find((a) => a.clientId === clientId);
        return `<li>${escapeMarkup(app?.name ?? clientId)} <form method="post" action="/mes-applications"><input type="hidden" name="patient" value="${escapeMarkup(patient)}"><input type="hidden" name="client_id" value="${escapeMarkup(clientId)}"><button type="submit">Retirer mon consentement</button></form></li>`;
      })
      .join('');
    return this.page(
      reply,
      200,
      `Mes applications (${patient})`,
      `${done ? `<p role="status">${escapeMarkup(done)}</p>` : ''}${paired.length ? `<ul>${rows}</ul>` : '<p>Aucune application appariée.</p>'}`,
    );
  }

  private async issue(app: SandboxApp, grant: Grant, family: string) {
    const refreshToken = randomBytes(32).toString('base64url');
    const { clientId, oid, idPe, scope } = grant;
    this.keep(this.refreshTokens, hash(refreshToken), { clientId, oid, idPe, scope, family, used: false, expiresAt: Date.now() + REFRESH_LIFETIME_MS });
    const access = await this.tokens.issue(app, { idPe, scope });
    return { ...access, refresh_token: refreshToken, scope, patient: { oid, idPe, identifier: { system: `urn:oid:${oid}`, value: idPe } } };
  }

  /** Keeps an entry, first dropping the oldest when the map is full (Map iterates in insertion order). */
  private keep<T>(map: Map<string, T>, key: string, value: T): void {
    if (map.size >= MAX_PENDING) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  private consentPage(reply: FastifyReply, app: SandboxApp, params: Record<string, string>, scopes: string[], problem?: string) {
    const hidden = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method']
      .filter((k) => params[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${escapeMarkup(String(params[k]))}">`)
      .join('');
    const name = escapeMarkup(app.name ?? app.clientId);
    return this.page(
      reply,
      problem ? 400 : 200,
      'Connexion à Mon espace santé (bac à sable)',
      `${problem ? `<p role="alert">${escapeMarkup(problem)}</p>` : ''}
<form method="post" action="/oauth/authorize">${hidden}
<p><label for="patient">Patient de test</label> <input id="patient" name="patient" autocomplete="off" required></p>
<p><strong>${name}</strong> demande à :</p>
<ul>${scopes.map((s) => `<li>${escapeMarkup(SCOPES[s]!)} (<code>${escapeMarkup(s)}</code>)</li>`).join('')}</ul>
<p><button type="submit" name="decision" value="allow">Autoriser</button> <button type="submit" name="decision" value="deny" formnovalidate>Refuser</button></p>
</form>`,
    );
  }

  private page(reply: FastifyReply, status: number, title: string, body: string) {
    return (
      reply
        .code(status)
        .header('Content-Type', 'text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        // the page runs no script and may not be framed (clickjacking of the consent)
        .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'").send(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${escapeMarkup(title)}</title></head>
<body><h1>${escapeMarkup(title)}</h1>
${body}
</body></html>
`)
    );
  }
}
