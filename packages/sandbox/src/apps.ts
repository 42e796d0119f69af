/** A test app registered in the sandbox, as MES registers a referenced app. */
export interface SandboxApp {
  /** OAuth 2.0 client id. */
  clientId: string;
  clientSecret: string;
  /** The OID MES assigns to the app: patients are `urn:oid:<oid>|<idPe>` for it. */
  oid: string;
  name?: string;
  /** Where the authorization endpoint may send the user back (exact match, RFC 6749 §3.1.2). */
  redirectUris?: string[];
}

/**
 * The app behind one request. With an access token from MES's pairing (authorization code), it is
 * bound to that patient and those scopes; with client credentials (the sandbox's shortcut), not.
 */
export interface Caller extends SandboxApp {
  pairing?: { idPe: string; scopes: string[] };
}

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** The app a sandbox started without a configuration registers, printed at start-up. */
export const DEMO_APP: SandboxApp = {
  clientId: 'demo-app',
  clientSecret: 'demo-secret',
  oid: '2.999.1.2.3',
  name: 'Application de démonstration',
};

/** Checks the `apps` of a configuration (`{ "apps": [{ "clientId", "clientSecret", "oid", "name"?, "redirectUris"? }] }`); throws naming the faulty entry. */
export function checkApps(json: unknown, where: string): SandboxApp[] {
  const apps = (json as { apps?: unknown })?.apps;
  if (!Array.isArray(apps) || apps.length === 0) throw new Error(`${where}: expected {"apps": [ … ]} with at least one app`);
  const seen = new Map<string, string>();
  return apps.map((a: Record<string, unknown>, i) => {
    const at = `${where}: apps[${i}]`;
    for (const key of ['clientId', 'clientSecret', 'oid'] as const) {
      if (typeof a?.[key] !== 'string' || !(a[key] as string).trim()) throw new Error(`${at}.${key} must be a non-empty string`);
    }
    const app = a as unknown as SandboxApp;
    if (!OID.test(app.oid)) throw new Error(`${at}.oid "${app.oid}" is not an OID (digits and dots, e.g. 1.2.250.1.999)`);
    if (seen.has(`client:${app.clientId}`)) throw new Error(`${at}.clientId "${app.clientId}" is registered twice`);
    // Two apps under one OID would see each other's patients: MES answers 409 to such a conflict.
    if (seen.has(`oid:${app.oid}`)) throw new Error(`${at}.oid ${app.oid} is already the OID of app "${seen.get(`oid:${app.oid}`)}"`);
    seen.set(`client:${app.clientId}`, app.clientId);
    seen.set(`oid:${app.oid}`, app.clientId);
    const redirectUris = a.redirectUris;
    if (redirectUris !== undefined && (!Array.isArray(redirectUris) || !redirectUris.every(isRedirectUri)))
      throw new Error(`${at}.redirectUris must be a list of absolute http(s) URLs without a fragment`);
    return {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      oid: app.oid,
      ...(typeof app.name === 'string' ? { name: app.name } : {}),
      ...(redirectUris ? { redirectUris: redirectUris as string[] } : {}),
    };
  });
}

function isRedirectUri(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash && !value.includes('#');
  } catch {
    return false;
  }
}
