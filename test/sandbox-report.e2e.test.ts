/**
 * The sandbox grades an app: two scripted apps (on @mes-fhir/client) run MES's test scenarios
 * against a sandbox started with `record`, one completely, one with defects; each report then says
 * exactly which scenarios are proven, failed or not exercised, as JSON, JUnit (parsed) and HTML
 * (opened in chromium), served by the sandbox and written by `mes-fhir sandbox report`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesApiError, MesClient, finishPairing, startPairing, type PairedTokens } from '@mes-fhir/client';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import {
  appointment,
  bloodGlucose,
  bloodPressure,
  bodyHeight,
  bodyTemperature,
  bodyWeight,
  buildCdaLevel1,
  cancelAppointment,
  documentReference,
  glucoseAverage,
  hba1c,
  headCircumference,
  heartRate,
  painSeverity,
  phdDevice,
  provideDocumentBundle,
  stepsByDay,
  waistCircumference,
} from '@mes-fhir/profiles';
import { startSandbox, type Report, type Sandbox, type SandboxApp } from '@mes-fhir/sandbox';
import { Validator } from '@mes-fhir/validator';
import { main } from '../packages/cli/src/main.js';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';
import { sandboxDatabases } from './helpers/sandbox-databases.js';
import { canRunBrowser } from './helpers/site.js';

const REDIRECT = 'http://127.0.0.1:9/retour';
const NOS = 'https://mos.esante.gouv.fr/NOS/';
const APPS: SandboxApp[] = [
  { clientId: 'appli-complete', clientSecret: 'secret-complete-4242', oid: '2.999.41', name: 'Appli complète', redirectUris: [REDIRECT] },
  { clientId: 'appli-bancale', clientSecret: 'secret-bancale-4242', oid: '2.999.42', name: 'Appli bancale', redirectUris: [REDIRECT] },
];
const ALL_SCOPES = ['mesures.read', 'mesures.write', 'documents', 'agenda'];

/** What the defective app gets wrong; the complete app does none of it. */
interface Defects {
  noRefresh?: boolean;
  deviceTwice?: boolean;
  stopPaging?: boolean;
  never422Fix?: boolean;
  retryStorm?: boolean;
}

const scratch = mkdtempSync(join(tmpdir(), 'mes-report-test-'));
let validator: Validator;
beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  validator = new Validator(indexFolders(projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir'))));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The patient's browser: consent on the sandbox's page (the form it posts). */
async function consent(sandbox: Sandbox, authorizeUrl: string, patient: string): Promise<string> {
  const params = Object.fromEntries(new URL(authorizeUrl).searchParams);
  const res = await fetch(`${sandbox.url}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, patient, decision: 'allow' }),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

/** A vendor's app, scripted on @mes-fhir/client: pairing, the three APIs, then the patient withdraws consent. */
async function runApp(sandbox: Sandbox, app: SandboxApp, patientLabel: string, defects: Defects = {}): Promise<PairedTokens> {
  const begun = await startPairing({ authorizeUrl: `${sandbox.url}/oauth/authorize`, clientId: app.clientId, redirectUri: REDIRECT, scope: ALL_SCOPES });
  const tokens = await finishPairing({
    tokenUrl: `${sandbox.url}/oauth/token`,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: REDIRECT,
    state: begun.state,
    codeVerifier: begun.codeVerifier,
    callbackUrl: await consent(sandbox, begun.url, patientLabel),
  });
  const client = new MesClient({ baseUrl: sandbox.url, tokens });
  const patient = tokens.patient;
  const at = (day: number) => `2026-05-${String(day).padStart(2, '0')}T08:00:00+02:00`;
  const device = (serial: string) =>
    phdDevice({ identifierOid: `${app.oid}.2`, serial, systemId: '00-1B-2C-FF-FE-3D-4E-5F', kind: 'weight-scale', manufacturer: 'Balances', model: 'BX-200' });

  // the access token expires: the app renews it with its refresh token
  if (!defects.noRefresh) tokens.invalidate();
  await client.measures.send(bodyWeight({ patient, effective: at(1), kg: 70.2 }), { device: device('BX-1') });
  await client.measures.send(bodyHeight({ patient, effective: at(1), cm: 172 }), { device: device(defects.deviceTwice ? 'BX-2' : 'BX-1') });
  await client.measures.send(bloodPressure({ patient, effective: at(2), systolic: 128, diastolic: 82 }));
  await client.measures.send(bodyTemperature({ patient, effective: at(2), celsius: 37.1 }));
  await client.measures.send(heartRate({ patient, effective: at(2), bpm: 64 }));
  await client.measures.send(hba1c({ patient, effective: at(3), percent: 6.1 }));
  await client.measures.send(glucoseAverage({ patient, effective: at(3), kind: 'MED-969', value: 110, days: 14 }));
  await client.measures.send(glucoseAverage({ patient, effective: at(3), kind: 'MED-972', value: 6.4, days: 14 }));
  await client.measures.send(painSeverity({ patient, effective: at(4), score: 3 }));
  await client.measures.send(stepsByDay({ patient, effective: at(4), steps: 8200 }));
  await client.measures.send(waistCircumference({ patient, effective: at(4), cm: 84 }));
  await client.measures.send(headCircumference({ patient, effective: at(4), cm: 56 }));

  // a glycaemia without its moment of measurement: MES's 422, then (or not) the corrected one
  const glucose = bloodGlucose({ patient, effective: at(5), mgPerDl: 96, moment: 'fasting' });
  const { extension: _moment, ...noMoment } = glucose;
  const refused = (await client.measures.send(noMoment as never).catch((e: unknown) => e)) as MesApiError;
  expect([refused.status, refused.code]).toEqual([422, 'mes-moment-mandatory']);
  if (!defects.never422Fix) await client.measures.send(glucose);
  await client.measures.send(bodyWeight({ patient, effective: at(6), kg: 70.6 }));

  // searches: a period; the last ones, page after page; the BMI MES computed
  for await (const _ of client.measures.search({ patient, code: '29463-7', from: '2026-05-01', to: '2026-05-31' }));
  for await (const _page of client.measures.pages({ patient, code: '29463-7', count: 1 })) if (defects.stopPaging) break;
  const bmis = [];
  for await (const b of client.measures.search({ patient, code: '39156-5' })) bmis.push(b);
  expect(bmis.length).toBeGreaterThan(0);

  // documents: ITI-105, ITI-65, ITI-67, ITI-68
  const cda = buildCdaLevel1(
    {
      id: { root: `${app.oid}.9`, extension: `DOC-${app.clientId}` },
      type: { code: '11488-4', displayName: 'Note de consultation' },
      title: 'Compte rendu',
      effectiveTime: '2026-05-07T09:00:00+02:00',
      patient: { id: { root: patient.oid, extension: patient.idPe } },
      author: { id: { root: `${app.oid}.7`, extension: 'APP' }, device: { model: app.name!, software: `${app.name} 1.0` } },
      custodian: { id: { root: app.oid }, name: 'Éditeur' },
    },
    { pdf: new TextEncoder().encode(`%PDF-1.7 compte rendu de ${app.clientId}`) },
  );
  const second = cda.replace('Compte rendu', 'Second compte rendu');
  await client.documents.publish(await documentReference({ cda, patient }));
  const classe = { system: `${NOS}TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument`, code: '10', display: 'Compte rendu' };
  const producer = { system: `${NOS}TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS`, code: 'PATIENT', display: 'Patient' };
  await client.documents.publishLot(
    await provideDocumentBundle({
      documents: [{ cda: second, category: classe, facilityType: producer, practiceSetting: producer }],
      patient,
      app: { oid: `${app.oid}.7`, id: 'APP', name: app.name! },
      authenticator: { name: 'Éditeur', identifier: { system: `urn:oid:${app.oid}`, value: 'EDITEUR' } },
      submissionSetOid: `${app.oid}.9.101`,
      designationType: { system: `${NOS}TRE_A04-Loinc/FHIR/TRE-A04-Loinc`, code: '11488-4', display: 'Note de consultation' },
    }),
  );
  const documents = [];
  for await (const d of client.documents.search(patient)) documents.push(d);
  expect([cda, second]).toContain(new TextDecoder().decode(await client.documents.retrieve(documents.at(-1)!)));

  // an appointment: created, updated, found
  const booked = await client.appointments.create(
    appointment({
      patient,
      practitioner: { rpps: '10001234567', name: 'Dr Claire Martin' },
      start: '2026-12-15T09:30:00+01:00',
      end: '2026-12-15T09:50:00+01:00',
      mode: 'teleconsultation',
      reason: 'Suivi',
    }),
  );
  await client.appointments.update(cancelAppointment(booked, 'Empêchement'));
  for await (const _ of client.appointments.search(patient));

  // the patient withdraws consent in "Mes applications": the next call gets 403, and the app stops (or not)
  const withdrawn = await fetch(`${sandbox.url}/mes-applications`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ patient: patientLabel, client_id: app.clientId }),
  });
  expect(withdrawn.status).toBe(200);
  for (let i = 0; i < (defects.retryStorm ? 8 : 1); i++) {
    const e = (await client.measures.send(bodyWeight({ patient, effective: at(8), kg: 71 })).catch((x: unknown) => x)) as MesApiError;
    expect(e.status).toBe(403);
  }
  return tokens;
}

const basic = (app: SandboxApp) => `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
async function served(sandbox: Sandbox, app: SandboxApp, format: string, auth = basic(app)): Promise<Response> {
  return fetch(`${sandbox.url}/recette/${app.clientId}?format=${format}`, { headers: { authorization: auth } });
}
const statuses = (r: Report, status: string) =>
  r.scenarios
    .filter((s) => s.status === status)
    .map((s) => s.id)
    .sort();

/** What the defective app should be told: these fail, these are not exercised, the rest pass. */
const DEFECTIVE_FAILS = ['appareil-reutilise', 'correction-apres-422', 'mesure-glucose-2345-7', 'retrait-consentement'];
const DEFECTIVE_NOT_EXERCISED = ['appariement', 'pagination'];

describe.each(sandboxDatabases(scratch))('the sandbox grades apps from what it recorded, on $name', (target) => {
  let sandbox: Sandbox;
  let database: string;
  let complete: PairedTokens;
  beforeAll(async () => {
    database = await target.database();
    sandbox = await startSandbox({ validator, database, config: { apps: APPS, pairings: [] }, port: 0, record: true });
    complete = await runApp(sandbox, APPS[0]!, 'camille');
    await runApp(sandbox, APPS[1]!, 'dominique', { noRefresh: true, deviceTwice: true, stopPaging: true, never422Fix: true, retryStorm: true });
  });
  afterAll(async () => {
    await sandbox?.close();
    await target.cleanup();
  });

  it('proves every scenario of the app that exercised them all', async () => {
    const res = await served(sandbox, APPS[0]!, 'json');
    expect(res.status).toBe(200);
    const report = (await res.json()) as Report;
    const notPassed = report.scenarios.filter((s) => s.status !== 'passed').map((s) => ({ id: s.id, steps: s.steps }));
    expect(notPassed).toEqual([]);
    // pairing, the 13 measures fed (glycaemia in its four kinds), the BMI, the Device, two searches, four document transactions, the appointment, 422, paging
    expect(report.summary.total).toBe(26);
    expect(report.scenarios.filter((s) => s.id.startsWith('mesure-')).length).toBe(14);
    expect(report.app).toEqual({ clientId: 'appli-complete', name: 'Appli complète', oid: '2.999.41' });
    expect(Math.max(...report.evidence.map((x) => x.durationMs))).toBeGreaterThan(0);
    // each proven step cites exchanges that are in the report
    const cited = new Set(report.evidence.map((x) => x.seq));
    for (const s of report.scenarios) for (const step of s.steps) for (const n of step.evidence) expect(cited.has(n)).toBe(true);
  });

  it('has every scenario in the guide "Préparer le référencement"', async () => {
    const guide = readFileSync(join(REPO_ROOT, 'docs-site', 'docs', 'guides', 'referencement.md'), 'utf8');
    const report = (await (await served(sandbox, APPS[0]!, 'json')).json()) as Report;
    expect(report.scenarios.map((s) => s.id).filter((id) => !guide.includes(`\`${id}\``))).toEqual([]);
  });

  it('says exactly which scenarios the defective app failed or did not exercise, and why', async () => {
    const report = (await (await served(sandbox, APPS[1]!, 'json')).json()) as Report;
    expect(statuses(report, 'failed')).toEqual(DEFECTIVE_FAILS);
    expect(statuses(report, 'not-exercised')).toEqual(DEFECTIVE_NOT_EXERCISED);
    const why = (id: string) => report.scenarios.find((s) => s.id === id)!.steps.find((s) => s.status !== 'proven')!;
    expect(why('appareil-reutilise').detail).toMatch(/a été créé deux fois \(Device\/.+ et Device\/.+\)/);
    expect(why('retrait-consentement').detail).toMatch(/^7 appels après le refus/);
    expect(why('correction-apres-422').detail).toContain('Observation.extension.moment is mandatory');
    expect(why('pagination').detail).toMatch(/sur 1 page\(s\) sans atteindre la dernière/);
    expect(why('appariement').title).toBe('Jeton renouvelé');
    // the failing steps show the exchanges that prove it
    expect(why('appareil-reutilise').evidence.length).toBe(2);
  });

  it('keeps no secret and no document bytes: tokens, codes and the client secret masked, documents as SHA-256', async () => {
    const { rows } = await sandbox.db.query<{ text: string }>("SELECT concat(url, ' ', request_body::text, ' ', response_body::text) AS text FROM exchanges");
    const all = rows.map((r) => r.text).join('\n');
    expect(all).toContain('"grant_type": "authorization_code"');
    expect(all).toContain('"refresh_token": "[masqué]"');
    expect(all).not.toContain(complete.refreshToken());
    expect(all).not.toContain(await complete.token());
    expect(all).not.toContain('secret-complete-4242');
    expect(all).not.toContain(Buffer.from('%PDF-1.7 compte rendu de appli-complete').toString('base64').slice(0, 24));
    expect(all).toMatch(/\[document de \d+ octets, SHA-256 [0-9a-f]{64}\]/);
  });

  it("serves each report to its app's credentials only", async () => {
    expect((await served(sandbox, APPS[0]!, 'json', '')).status).toBe(401);
    expect((await served(sandbox, APPS[0]!, 'json', basic(APPS[1]!))).status).toBe(401);
    const wrong = await served(sandbox, APPS[0]!, 'json', `Basic ${Buffer.from('appli-complete:nope').toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic realm="Recette appli-complete"/);
    expect((await served(sandbox, APPS[0]!, 'pdf')).status).toBe(400);
  });

  it('writes JUnit XML a CI can gate on: one testcase per scenario, failures and skipped', async () => {
    const xml = await (await served(sandbox, APPS[1]!, 'junit')).text();
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { testsuite: { name: string; tests: string; failures: string; skipped: string; testcase: Array<Record<string, unknown>> } };
    };
    const suite = parsed.testsuites.testsuite;
    expect([suite.name, suite.tests, suite.failures, suite.skipped]).toEqual(['appli-bancale', '26', '4', '2']);
    const named = (prefix: string) => suite.testcase.find((t) => String(t.name).startsWith(`${prefix} — `))!;
    expect(named('appareil-reutilise').failure).toBeDefined();
    expect(named('pagination').skipped).toBeDefined();
    expect(named('document-iti68').failure).toBeUndefined();
    expect(suite.testcase.filter((t) => t.failure).length).toBe(4);
  });

  it.runIf(canRunBrowser && target.name === 'PGlite')('renders the HTML report in chromium, in French, with no console error', async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
    try {
      const context = await browser.newContext({ httpCredentials: { username: APPS[1]!.clientId, password: APPS[1]!.clientSecret } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      const res = await page.goto(`${sandbox.url}/recette/${APPS[1]!.clientId}`);
      expect(res?.status()).toBe(200);
      expect(await page.title()).toBe('Recette Mon espace santé — Appli bancale');
      expect(await page.locator('html').getAttribute('lang')).toBe('fr');
      expect(await page.locator('.summary').innerText()).toMatch(/20 prouvé\(s\) · 4 en échec · 2 non exercé\(s\) sur 26 scénarios/);
      expect(await page.locator('article.scenario').count()).toBe(26);
      expect(await page.locator('article.scenario.failed').count()).toBe(4);
      // the badges are styled (the inline style passed the page's CSP)
      expect(await page.locator('article#appareil-reutilise .badge').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(206, 5, 0)');
      // a step links to the exchanges it cites
      const link = page.locator('article#appareil-reutilise .refs a').first();
      const target = (await link.getAttribute('href'))!;
      await link.click();
      expect(new URL(page.url()).hash).toBe(target);
      expect(await page.locator(`${target} summary`).innerText()).toMatch(/POST \/ → 200/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('what the recording keeps', () => {
  it('stays within its bounds: the oldest exchanges go, a large Bundle keeps the skeleton the scenarios read', async () => {
    const sandbox = await startSandbox({
      validator,
      database: join(scratch, 'bounded-db'),
      config: { apps: APPS, pairings: [] },
      port: 0,
      record: { maxExchangesPerApp: 70, maxBodyBytes: 1500 },
    });
    try {
      const app = APPS[0]!;
      const token = (await (
        await fetch(`${sandbox.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret }),
        })
      ).json()) as { access_token: string };
      const client = new MesClient({ baseUrl: sandbox.url, tokens: { token: async () => token.access_token, invalidate: () => undefined } });
      const patient = (await client.request<{ oid: string; idPe: string }>('POST', 'pairing', { body: { patient: 'fanny' } })).body;
      for (let day = 1; day <= 4; day++) await client.measures.send(bodyWeight({ patient, effective: `2026-06-0${day}T08:00:00+02:00`, kg: 60 + day }));
      // pages of 2 weights, over the 1,500-byte bound: kept as skeletons, their next links still followed
      for await (const _ of client.measures.pages({ patient, code: '29463-7', count: 2 }));
      const pages = await sandbox.db.query<{ body: Record<string, any> }>("SELECT response_body AS body FROM exchanges WHERE url LIKE '/Observation?%'");
      expect(pages.rows.length).toBe(2);
      for (const { body } of pages.rows) {
        const parsed = typeof body === 'string' ? JSON.parse(body) : body;
        expect(parsed).toMatchObject({ resourceType: 'Bundle', type: 'searchset', omitted: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
        expect(parsed.entry[0].resource).toEqual({ resourceType: 'Observation', id: expect.any(String), meta: expect.any(Object), code: expect.any(Object) });
      }
      const report = (await (await served(sandbox, app, 'json')).json()) as Report;
      expect(report.scenarios.find((s) => s.id === 'pagination')!.status).toBe('passed');
      for (let i = 0; i < 130; i++) await client.request('GET', 'pairing');
      const { rows } = await sandbox.db.query<{ n: string }>('SELECT count(*) AS n FROM exchanges');
      // pruned every 64 inserts: never more than the bound and one batch
      expect(Number(rows[0]!.n)).toBeLessThanOrEqual(70 + 64);
      expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(70);
    } finally {
      await sandbox.close();
    }
  });
});

describe('mes-fhir sandbox report', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) }, env: { ...process.env } },
    };
  };
  let database: string;
  beforeAll(async () => {
    database = join(scratch, 'cli-db');
    const sandbox = await startSandbox({ validator, database, config: { apps: APPS, pairings: [] }, port: 0, record: true });
    try {
      await runApp(sandbox, APPS[1]!, 'eden', { noRefresh: true, deviceTwice: true, stopPaging: true, never422Fix: true, retryStorm: true });
      // the running sandbox holds its folder: a report read now would share PGlite's files
      const busy = io();
      expect(await main(['sandbox', 'report', '--database', database], busy.io)).toBe(1);
      expect(busy.out.stderr).toMatch(/is open in process \d+/);
    } finally {
      await sandbox.close();
    }
  });

  it('writes the JUnit report of the only recorded app to a file', async () => {
    const { io: cli, out } = io();
    const file = join(scratch, 'recette.xml');
    expect(await main(['sandbox', 'report', '--database', database, '--format', 'junit', '--out', file], cli)).toBe(0);
    expect(out.stderr).toContain('appli-bancale: 20 prouvé(s), 4 en échec, 2 non exercé(s) sur 26 scénarios');
    expect(readFileSync(file, 'utf8')).toMatch(/<testsuite name="appli-bancale" tests="26" failures="4" errors="0" skipped="2"/);
  });

  it('prints HTML by default, and names the app and OID from the configuration', async () => {
    const config = join(scratch, 'sandbox.json');
    writeFileSync(config, JSON.stringify({ apps: APPS }));
    const { io: cli, out } = io();
    expect(await main(['sandbox', 'report', '--database', database, '--config', config], cli)).toBe(0);
    expect(out.stdout).toMatch(/^<!doctype html>/);
    expect(out.stdout).toContain('<title>Recette Mon espace santé — Appli bancale</title>');
    expect(out.stdout).toContain('(OID 2.999.42)');
  });

  it('refuses what it cannot do with a clear message', async () => {
    const missing = io();
    expect(await main(['sandbox', 'report', '--database', join(scratch, 'nowhere')], missing.io)).toBe(1);
    expect(missing.out.stderr).toMatch(/no sandbox database in .*nowhere/);
    const other = io();
    expect(await main(['sandbox', 'report', '--database', database, '--app', 'appli-complete'], other.io)).toBe(1);
    expect(other.out.stderr).toContain('nothing is recorded for the app appli-complete (recorded: appli-bancale)');
    const usage = io();
    expect(await main(['sandbox', 'report', '--format', 'pdf'], usage.io)).toBe(2);
  });
});
