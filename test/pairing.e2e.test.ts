/**
 * MES's pairing against the sandbox: the OAuth 2.0 authorization code grant with PKCE, its page
 * in a real browser, the client's startPairing/finishPairing, refresh rotation, revocation, and
 * the RFC errors for what an app (or an attacker) gets wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesApiError, MesClient, finishPairing, memoryStore, resumePairing, startPairing } from '@mes-fhir/client';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { bodyWeight } from '@mes-fhir/profiles';
import { readConfig, startSandbox, type Sandbox } from '@mes-fhir/sandbox';
import { Validator } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';
import { canRunBrowser } from './helpers/site.js';

const REDIRECT = 'http://127.0.0.1:9/retour-appariement';
const APP = { clientId: 'suivi-sante', clientSecret: 'secret-suivi' };
const scratch = mkdtempSync(join(tmpdir(), 'mes-pairing-test-'));
let sandbox: Sandbox;

beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  const validator = new Validator(indexFolders(projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir'))));
  sandbox = await startSandbox({
    validator,
    database: join(scratch, 'db'),
    config: readConfig(join(REPO_ROOT, 'test', 'fixtures', 'sandbox', 'sandbox.json')),
    port: 0,
  });
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const start = () =>
  startPairing({ authorizeUrl: `${sandbox.url}/oauth/authorize`, clientId: APP.clientId, redirectUri: REDIRECT, scope: ['mesures.read', 'mesures.write'] });
/** What the consent form posts, as a browser would send it. */
async function decide(authorizeUrl: string, decision: 'allow' | 'deny', patient = 'dominique'): Promise<string> {
  const params = Object.fromEntries(new URL(authorizeUrl).searchParams);
  const res = await fetch(`${sandbox.url}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, patient, decision }),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}
const token = async (form: Record<string, string>) => {
  const res = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, client_id: APP.clientId, client_secret: APP.clientSecret }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const finish = (begun: { state: string; codeVerifier: string }, callbackUrl: string) =>
  finishPairing({ tokenUrl: `${sandbox.url}/oauth/token`, ...APP, redirectUri: REDIRECT, state: begun.state, codeVerifier: begun.codeVerifier, callbackUrl });

describe('pairing by authorization code (sandbox and client)', () => {
  it('publishes its metadata (RFC 8414)', async () => {
    const meta = (await (await fetch(`${sandbox.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: sandbox.url,
      authorization_endpoint: `${sandbox.url}/oauth/authorize`,
      token_endpoint: `${sandbox.url}/oauth/token`,
      revocation_endpoint: `${sandbox.url}/oauth/revoke`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('pairs a patient: consent, code, exchange; the tokens then call the API for that patient', async () => {
    const begun = await start();
    const page = await fetch(begun.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('Suivi Santé (examples of generated/fhir)');
    expect(html).toContain('ajouter des mesures de santé');
    const back = await decide(begun.url, 'allow');
    expect(back.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(new URL(back).searchParams.get('state')).toBe(begun.state);
    const tokens = await finish(begun, back);
    expect(tokens.patient.oid).toBe('2.999.1.2.3');
    expect(tokens.scope).toBe('mesures.read mesures.write');
    const client = new MesClient({ baseUrl: sandbox.url, tokens });
    const sent = await client.measures.send(bodyWeight({ patient: tokens.patient, effective: '2026-04-01T08:00:00+02:00', kg: 64.2 }));
    expect(sent.observation.id).toBeTruthy();
    // the same patient paired again keeps their idPe
    const again = await start();
    expect((await finish(again, await decide(again.url, 'allow'))).patient).toEqual(tokens.patient);
  });

  it('a code is used once, by the verifier it was asked with, for the redirect uri it was asked for', async () => {
    const begun = await start();
    const code = new URL(await decide(begun.url, 'allow')).searchParams.get('code')!;
    const wrongVerifier = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) });
    expect(wrongVerifier).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // the failed attempt consumed it: the right verifier no longer helps
    const replay = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: begun.codeVerifier });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const other = await start();
    const code2 = new URL(await decide(other.url, 'allow')).searchParams.get('code')!;
    const elsewhere = await token({
      grant_type: 'authorization_code',
      code: code2,
      redirect_uri: 'http://127.0.0.1:9/ailleurs',
      code_verifier: other.codeVerifier,
    });
    expect(elsewhere).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: expect.stringMatching(/redirect_uri/) } });
  });

  it('refresh tokens rotate; one used twice revokes its family; a revoked one is refused', async () => {
    const begun = await start();
    const paired = await finish(begun, await decide(begun.url, 'allow'));
    const first = paired.refreshToken();
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first);
    expect(await token({ grant_type: 'refresh_token', refresh_token: first })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // the copy was used: the legitimate newer token is revoked with its family
    expect(await token({ grant_type: 'refresh_token', refresh_token: rotated.body.refresh_token })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });

    const begunOther = await start();
    const other = await finish(begunOther, await decide(begunOther.url, 'allow'));
    const revoked = await fetch(`${sandbox.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: other.refreshToken(), client_id: APP.clientId, client_secret: APP.clientSecret }),
    });
    expect(revoked.status).toBe(200);
    // only by the app itself
    const stranger = await fetch(`${sandbox.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa('suivi-sante:wrong')}` },
      body: new URLSearchParams({ token: 'x' }),
    });
    expect([stranger.status, ((await stranger.json()) as { error: string }).error]).toEqual([401, 'invalid_client']);
    expect(await token({ grant_type: 'refresh_token', refresh_token: other.refreshToken() })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('answers the RFC errors: refusal, no PKCE, unknown scope; an unregistered redirect uri is never followed', async () => {
    const begun = await start();
    const denied = new URL(await decide(begun.url, 'deny'));
    expect([denied.searchParams.get('error'), denied.searchParams.get('state')]).toEqual(['access_denied', begun.state]);
    const e = (await finish(begun, denied.toString()).catch((x: unknown) => x)) as MesApiError;
    expect([e.code, e.message]).toEqual(['access-denied', "pairing refused: access_denied: l'usager a refusé"]);

    const noPkce = new URL(begun.url);
    noPkce.searchParams.delete('code_challenge');
    const refused = await fetch(noPkce, { redirect: 'manual' });
    expect(refused.status).toBe(302);
    expect(new URL(refused.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const badScope = new URL(begun.url);
    badScope.searchParams.set('scope', 'mesures.read admin');
    expect(new URL((await fetch(badScope, { redirect: 'manual' })).headers.get('location')!).searchParams.get('error_description')).toBe('unknown scope admin');

    const elsewhere = new URL(begun.url);
    elsewhere.searchParams.set('redirect_uri', 'https://evil.example/vol');
    const page = await fetch(elsewhere, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([400, null]);
    expect(await page.text()).toContain('https://evil.example/vol');
    const unknownApp = new URL(begun.url);
    unknownApp.searchParams.set('client_id', '<script>alert(1)</script>');
    const escaped = await (await fetch(unknownApp)).text();
    expect(escaped).not.toContain('<script>');
    expect(escaped).toContain('&#60;script&#62;');
  });

  it("a pairing's token speaks for its patient only, and only with its scopes", async () => {
    const begun = await startPairing({
      authorizeUrl: `${sandbox.url}/oauth/authorize`,
      clientId: APP.clientId,
      redirectUri: REDIRECT,
      scope: ['mesures.read'],
    });
    const reader = await finish(begun, await decide(begun.url, 'allow', 'firmin'));
    const client = new MesClient({ baseUrl: sandbox.url, tokens: reader, retries: 0 });
    const found = [];
    for await (const o of client.measures.search({ patient: reader.patient, code: '29463-7' })) found.push(o);
    expect(found).toEqual([]);
    const refusal = async (call: Promise<unknown>) => (await call.catch((x: unknown) => x)) as MesApiError;
    const write = await refusal(client.measures.send(bodyWeight({ patient: reader.patient, effective: '2026-04-02T08:00:00+02:00', kg: 70 })));
    expect([write.code, write.status, write.message]).toEqual([
      'forbidden',
      403,
      'HTTP 403: this call needs the scope mesures.write, which the pairing did not grant',
    ]);
    expect((await refusal(client.documents.search(reader.patient).next())).message).toMatch(/needs the scope documents/);
    expect((await refusal(client.request('POST', 'pairing', { body: { patient: 'x' } }))).message).toMatch(/not open to a token from a pairing/);
    // Alice is paired with the same app, but this token is Firmin's
    const alice = { oid: '2.999.1.2.3', idPe: 'IDPE-7F3A92C4' };
    const other = await refusal(client.measures.search({ patient: alice, code: '29463-7' }).next());
    expect([other.code, other.message]).toEqual(['forbidden', expect.stringMatching(/idPe mismatch or no consent/)]);
  });

  it('the patient withdraws consent on "Mes applications": the app gets 403, its refresh token is refused', async () => {
    const begun = await start();
    const paired = await finish(begun, await decide(begun.url, 'allow', 'gaspard'));
    const client = new MesClient({ baseUrl: sandbox.url, tokens: paired, retries: 0 });
    await client.measures.send(bodyWeight({ patient: paired.patient, effective: '2026-04-03T08:00:00+02:00', kg: 80 }));
    const list = await (await fetch(`${sandbox.url}/mes-applications?patient=gaspard`)).text();
    expect(list).toContain('Suivi Santé (examples of generated/fhir)');
    const withdrawn = await fetch(`${sandbox.url}/mes-applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ patient: 'gaspard', client_id: APP.clientId }),
    });
    expect(await withdrawn.text()).toContain('Vous avez retiré votre consentement à Suivi Santé');
    const e = (await client.measures
      .search({ patient: paired.patient, code: '29463-7' })
      .next()
      .catch((x: unknown) => x)) as MesApiError;
    expect([e.code, e.status]).toEqual(['forbidden', 403]);
    expect(await token({ grant_type: 'refresh_token', refresh_token: paired.refreshToken() })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await (await fetch(`${sandbox.url}/mes-applications?patient=gaspard`)).text()).toContain('Aucune application appariée.');
  });

  it('the app resumes a pairing from its stored refresh token (after its own restart), the store following each rotation', async () => {
    const store = memoryStore();
    const begun = await start();
    const paired = await finishPairing({
      tokenUrl: `${sandbox.url}/oauth/token`,
      ...APP,
      redirectUri: REDIRECT,
      ...begun,
      callbackUrl: await decide(begun.url, 'allow', 'hortense'),
      store,
    });
    const stored = await store.load();
    expect(stored).toBe(paired.refreshToken());
    const resumed = await resumePairing({ tokenUrl: `${sandbox.url}/oauth/token`, ...APP, store });
    expect(resumed.patient).toEqual(paired.patient);
    expect(await store.load()).not.toBe(stored);
    const client = new MesClient({ baseUrl: sandbox.url, tokens: resumed });
    expect((await client.measures.send(bodyWeight({ patient: resumed.patient, effective: '2026-04-04T08:00:00+02:00', kg: 58 }))).observation.id).toBeTruthy();
    const e = (await resumePairing({ tokenUrl: `${sandbox.url}/oauth/token`, ...APP, store: memoryStore() }).catch((x: unknown) => x)) as MesApiError;
    expect([e.code, e.message]).toEqual(['invalid-token', 'no refresh token in the store: pair again']);
  });

  it('finishPairing refuses a callback of another request before using its code', async () => {
    const begun = await start();
    const back = await decide(begun.url, 'allow');
    const e = (await finish({ ...begun, state: 'not-the-state' }, back).catch((x: unknown) => x)) as MesApiError;
    expect([e.code, e.message]).toEqual(['bad-request', 'the state of the callback is not the one this pairing sent']);
    // the code is still good for the right state
    expect((await finish(begun, back)).patient.oid).toBe('2.999.1.2.3');
  });

  it.skipIf(!canRunBrowser)('in a real browser: the page, the patient, "Autoriser", back to the app, a call, consent withdrawn, 403', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      let callback = '';
      // the app's redirect uri: answered here, as the app's server would
      await page.route(`${REDIRECT}**`, async (route) => {
        callback = route.request().url();
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>ok</p>' });
      });
      const begun = await start();
      await page.goto(begun.url);
      await page.getByLabel('Patient de test').fill('eugénie');
      await page.getByRole('button', { name: 'Autoriser' }).click();
      await page.waitForURL(`${REDIRECT}**`);
      const paired = await finish(begun, callback);
      expect(paired.patient.idPe).toMatch(/^IDPE-/);
      const client = new MesClient({ baseUrl: sandbox.url, tokens: paired, retries: 0 });
      await client.measures.send(bodyWeight({ patient: paired.patient, effective: '2026-04-05T08:00:00+02:00', kg: 61 }));
      // the patient withdraws consent on their page; the app's next call is refused
      await page.goto(`${sandbox.url}/mes-applications?patient=${encodeURIComponent('eugénie')}`);
      await page.getByRole('button', { name: 'Retirer mon consentement' }).click();
      await page.getByText('Vous avez retiré votre consentement').waitFor();
      expect(errors).toEqual([]);
      const e = (await client.measures
        .search({ patient: paired.patient, code: '29463-7' })
        .next()
        .catch((x: unknown) => x)) as MesApiError;
      expect([e.code, e.status]).toEqual(['forbidden', 403]);
    } finally {
      await browser.close();
    }
  });
});
