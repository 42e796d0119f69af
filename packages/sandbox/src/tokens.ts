import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Database } from './database.js';
import type { Caller, SandboxApp } from './apps.js';

const ISSUER = 'mes-fhir-sandbox';

/**
 * OAuth 2.0 access tokens (client credentials, or a pairing's: see oauth.ts): HS256 JWTs (jose)
 * signed with a key kept in the database, so that tokens stay valid across a restart on the same data.
 */
export class TokenService {
  private constructor(
    private readonly key: Uint8Array,
    private readonly byClientId: Map<string, SandboxApp>,
    readonly lifetimeSeconds: number,
  ) {}

  static async open(db: Database, apps: SandboxApp[], lifetimeSeconds: number): Promise<TokenService> {
    await db.query("INSERT INTO settings (key, value) VALUES ('token-key', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(32).toString('base64')]);
    const { rows } = await db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'token-key'");
    return new TokenService(new Uint8Array(Buffer.from(rows[0]!.value, 'base64')), new Map(apps.map((a) => [a.clientId, a])), lifetimeSeconds);
  }

  /** The registered apps. */
  get apps(): SandboxApp[] {
    return [...this.byClientId.values()];
  }

  /** The app whose id and secret these are, or undefined. */
  authenticate(clientId: string, clientSecret: string): SandboxApp | undefined {
    const app = this.byClientId.get(clientId);
    if (!app) return undefined;
    const a = Buffer.from(app.clientSecret);
    const b = Buffer.from(clientSecret);
    return a.length === b.length && timingSafeEqual(a, b) ? app : undefined;
  }

  /** An access token of the app; from a pairing (authorization code), bound to its patient and scopes. */
  async issue(app: SandboxApp, pairing?: { idPe: string; scope: string }): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
    const token = await new SignJWT({ oid: app.oid, ...(pairing ? { idPe: pairing.idPe, scope: pairing.scope } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(app.clientId)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .sign(this.key);
    return { access_token: token, token_type: 'Bearer', expires_in: this.lifetimeSeconds };
  }

  /** The app of a bearer token (bound to its patient and scopes when it comes from a pairing), or why the token is refused. */
  async verify(token: string): Promise<{ app: Caller } | { error: string }> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const app = payload.sub ? this.byClientId.get(payload.sub) : undefined;
      if (!app) return { error: 'the token names an app that is not registered' };
      if (typeof payload.idPe !== 'string') return { app };
      return {
        app: {
          ...app,
          pairing: {
            idPe: payload.idPe,
            scopes: String(payload.scope ?? '')
              .split(' ')
              .filter(Boolean),
          },
        },
      };
    } catch (e) {
      if (e instanceof errors.JWTExpired) return { error: 'the token has expired' };
      return { error: 'the token is not valid' };
    }
  }
}
