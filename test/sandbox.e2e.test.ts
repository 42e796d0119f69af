/**
 * `mes-fhir sandbox` end to end, over real HTTP: tokens, pairing, the three APIs, MES's 422
 * messages, isolation between apps, paging, atomicity, restart on the same data, hostile input.
 * Runs on the embedded PGlite database, and on a PostgreSQL server too when
 * MES_SANDBOX_TEST_POSTGRES names one (postgres://user:pass@host:port/db with CREATEDB).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';
import { bloodGlucose, bodyHeight, bodyWeight, feedingBundle, phdDevice, appointment } from '@mes-fhir/profiles';
import { ValidationWorkers, migrationFiles, readConfig, startSandbox, type Sandbox } from '@mes-fhir/sandbox';
import { sandboxDatabases } from './helpers/sandbox-databases.js';
import { REPO_ROOT, loadRepoIndex, mirrorDir } from './helpers/repo.js';

const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const EXAMPLES = join(GENERATED, 'example');
const CONFIG_FILE = join(REPO_ROOT, 'test', 'fixtures', 'sandbox', 'sandbox.json');
const PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/';
const example = (name: string) => JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8'));
const ALICE = { oid: '2.999.1.2.3', idPe: 'IDPE-7F3A92C4' };
const ALICE_SEARCH = 'urn:oid:2.999.1.2.3|IDPE-7F3A92C4';

let validator: Validator;
const scratch = mkdtempSync(join(tmpdir(), 'mes-sandbox-test-'));

beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  validator = new Validator(indexFolders(projectLayers(packages, GENERATED)));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A client of one app: token on first use, JSON in and out. */
class Client {
  token?: string;
  constructor(
    readonly url: string,
    readonly clientId: string,
    readonly secret: string,
  ) {}
  async login(): Promise<string> {
    const res = await fetch(`${this.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.secret }),
    });
    expect(res.status).toBe(200);
    this.token = ((await res.json()) as { access_token: string }).access_token;
    return this.token;
  }
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    if (!this.token) await this.login();
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* bytes (ITI-68) */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  get = (path: string) => this.call('GET', path);
  post = (path: string, body: unknown) => this.call('POST', path, body);
}

const diagnostics = (body: any): string[] => (body?.issue ?? []).map((i: any) => i.diagnostics);
const errorsOf = (resource: unknown, profile: string) => validator.validateToIssues(resource, { profile }).filter((i) => i.severity === 'error');

/** Where the validation threads load their definitions from. */
const WORKERS_LOAD = { projectDir: join(REPO_ROOT, 'fsh'), generatedDir: GENERATED, mirror: mirrorDir() };

/** The resource claiming `n` more profiles no package defines (warnings only): a costly, large body. */
const claimingUnknown = (r: any, n: number) => ({
  ...r,
  meta: { ...r.meta, profile: [...(r.meta?.profile ?? []), ...Array.from({ length: n }, (_, i) => `https://profiles.mes-fhir.test/unknown/${i}`)] },
});

/** Arbitrary JSON bodies, some shaped like the resources the routes take. */
const anyBody = fc.oneof(
  fc.jsonValue(),
  fc.record({ resourceType: fc.constantFrom('Bundle', 'Appointment', 'DocumentReference'), type: fc.string(), entry: fc.array(fc.jsonValue()) }),
);

const targets = sandboxDatabases(scratch);

describe.each(targets)('sandbox on $name', (target) => {
  let database: string;
  let sandbox: Sandbox;
  let app: Client;
  let other: Client;

  const start = async () => {
    sandbox = await startSandbox({ validator, database, config: readConfig(CONFIG_FILE), port: 0 });
    app = new Client(sandbox.url, 'suivi-sante', 'secret-suivi');
    other = new Client(sandbox.url, 'autre-app', 'secret-autre');
  };
  beforeAll(async () => {
    database = await target.database();
    await start();
  });
  afterAll(async () => {
    await sandbox?.close();
    await target.cleanup();
  });

  describe('metadata and tokens', () => {
    it('GET /metadata is a CapabilityStatement of our profiles and search parameters, without a token', async () => {
      const res = await fetch(`${sandbox.url}/metadata`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
      const cs = (await res.json()) as any;
      expect(cs.resourceType).toBe('CapabilityStatement');
      const observation = cs.rest[0].resource.find((r: any) => r.type === 'Observation');
      // exactly what feeding accepts: the MES canonicals an app claims, the BMI aside (MES computes it)
      const MES = 'https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/';
      expect(observation.supportedProfile).toContain(`${MES}mes-observation-bodyweight`);
      expect(observation.supportedProfile).toHaveLength(10);
      expect(observation.supportedProfile).not.toContain(`${MES}mes-observation-bmi`);
      expect(observation.supportedProfile.every((p: string) => p.startsWith(MES))).toBe(true);
      const bundle = cs.rest[0].resource.find((r: any) => r.type === 'Bundle');
      expect(bundle.supportedProfile.sort()).toEqual([`${PROFILE}mes-bundle-feeding`, `${PROFILE}mes-bundle-provide-document`]);
      expect(cs.rest[0].resource.find((r: any) => r.type === 'Appointment').supportedProfile).toEqual([`${PROFILE}mes-appointment`]);
      expect(observation.searchParam.map((p: any) => p.name)).toEqual(['subject.identifier', 'code', 'date']);
      expect(cs.rest[0].resource.find((r: any) => r.type === 'Appointment').interaction.map((i: any) => i.code)).toContain('update');
      expect(errorsOf(cs, 'http://hl7.org/fhir/StructureDefinition/CapabilityStatement').map((i) => `${i.location}: ${i.message}`)).toEqual([]);
    });

    it('gives tokens for client credentials (form or Basic) and refuses wrong ones', async () => {
      const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
        fetch(`${sandbox.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams(body),
        });
      const ok = await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('suivi-sante:secret-suivi').toString('base64')}` });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      const wrong = await form({ grant_type: 'client_credentials', client_id: 'suivi-sante', client_secret: 'nope' });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
      expect((await form({ grant_type: 'password', client_id: 'suivi-sante', client_secret: 'secret-suivi' })).status).toBe(400);
    });

    it('answers 401 with WWW-Authenticate on every FHIR route without a valid token', async () => {
      const routes: Array<[string, string]> = [
        ['POST', '/'],
        ['GET', `/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`],
        ['GET', '/Observation/x'],
        ['GET', '/Device/x'],
        ['POST', '/Appointment'],
        ['PUT', '/Appointment/x'],
        ['GET', '/Appointment?patient.identifier=x|y'],
        ['POST', '/DocumentReference'],
        ['GET', '/DocumentReference?patient.identifier=x|y'],
        ['GET', '/Binary/x'],
        ['POST', '/pairing'],
      ];
      // An expired token signed with the sandbox's own key: refused as expired, not as forged.
      const { rows } = await sandbox.db.query<{ value: string }>("SELECT value FROM settings WHERE key = 'token-key'");
      const expired = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('mes-fhir-sandbox')
        .setSubject('suivi-sante')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(new Uint8Array(Buffer.from(rows[0]!.value, 'base64')));
      for (const auth of [undefined, 'Bearer not-a-token', `Bearer ${expired}`, 'Basic abc']) {
        for (const [method, path] of routes) {
          const res = await fetch(`${sandbox.url}${path}`, {
            method,
            headers: { ...(auth ? { authorization: auth } : {}), 'content-type': 'application/fhir+json' },
            body: method === 'GET' ? undefined : '{}',
          });
          expect(res.status, `${method} ${path} with ${auth}`).toBe(401);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
        }
      }
      const res = await fetch(`${sandbox.url}/Observation/x`, { headers: { authorization: `Bearer ${expired}` } });
      expect(diagnostics(await res.json())).toEqual(['the token has expired']);
    });
  });

  describe('pairing', () => {
    it('links the app to a test patient and returns the identifier to use; the same on repeat', async () => {
      const first = await app.post('/pairing', { patient: 'bob' });
      expect(first.status).toBe(201);
      expect(first.body.identifier.system).toBe('urn:oid:2.999.1.2.3');
      expect(first.body.searchValue).toBe(`urn:oid:2.999.1.2.3|${first.body.idPe}`);
      const again = await app.post('/pairing', { patient: 'bob' });
      expect(again.status).toBe(200);
      expect(again.body.idPe).toBe(first.body.idPe);
      const otherApp = await other.post('/pairing', { patient: 'bob' });
      expect(otherApp.body.identifier.system).toBe('urn:oid:2.999.7.7');
      expect(otherApp.body.idPe).not.toBe(first.body.idPe);
      expect((await app.post('/pairing', { patient: "'; DROP TABLE patients; --" })).status).toBe(400);
      expect((await app.get('/pairing')).body.pairings.map((p: any) => p.patient)).toEqual(['alice', 'bob']);
    });
  });

  describe('API Mesures', () => {
    it('accepts the feeding Bundle example: 201 for the Observation and the Device, then 200 for the known Device', async () => {
      const bundle = example('Bundle-ExampleFeedingBundle.json');
      const first = await app.post('/', bundle);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.type).toBe('transaction-response');
      expect(first.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created']);
      const [obsLocation, deviceLocation] = first.body.entry.map((e: any) => e.response.location as string);
      expect(obsLocation).toMatch(/^Observation\/[0-9a-f-]{36}\/_history\/1$/);
      const second = await app.post('/', bundle);
      expect(second.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '200 OK']);
      expect(second.body.entry[1].response.location).toBe(deviceLocation);
      // The stored Observation points at the stored Device, not at the id the app chose.
      const stored = await app.get(`/${obsLocation.split('/_history')[0]}`);
      expect(stored.status).toBe(200);
      expect(stored.body.device.reference).toBe(deviceLocation.split('/_history')[0]);
      expect(stored.body.meta.versionId).toBe('1');
    });

    /** The Bundle's measure replaced by one of our examples, linked to the Bundle's Device, with some fields changed. */
    const measure = (b: any, name: string, changes: Record<string, unknown> = {}) =>
      (b.entry[0].resource = { ...example(name), device: { reference: `Device/${b.entry[1].resource.id}` }, ...changes });
    const rules: Array<[string, (b: any) => void, string]> = [
      ['no meta.profile', (b) => delete b.entry[0].resource.meta.profile, 'Observation must provide meta.profile value'],
      ['no device.reference', (b) => delete b.entry[0].resource.device, 'Observation.device.reference is mandatory'],
      ['device not the Bundle one', (b) => (b.entry[0].resource.device.reference = 'Device/another'), 'Observation and device not linked by id'],
      ['no value', (b) => delete b.entry[0].resource.valueQuantity, 'Observation value quantity not provided'],
      [
        'a BMI',
        (b) => measure(b, 'Observation-ExampleBmi.json', { subject: { identifier: { system: 'urn:oid:2.999.1.2.3', value: 'IDPE-7F3A92C4' } } }),
        'Bmi observation cannot be created',
      ],
      ['no subject.identifier', (b) => (b.entry[0].resource.subject = { display: 'Alice' }), 'Observation.subject.identifier is mandatory'],
      [
        'blood glucose without moment',
        (b) => measure(b, 'Observation-ExampleBloodGlucose.json', { extension: undefined }),
        'Observation.extension.moment is mandatory',
      ],
      [
        'HbA1c with a number of days',
        (b) => measure(b, 'Observation-ExampleHbA1c.json', { extension: example('Observation-ExampleInterstitialGlucoseAverage.json').extension }),
        'Observation.extension.numberOfDays cannot be added',
      ],
      [
        'HbA1c with a moment',
        (b) => measure(b, 'Observation-ExampleHbA1c.json', { extension: example('Observation-ExampleBloodGlucose.json').extension }),
        'Observation.extension.moment cannot be added',
      ],
      [
        'an interstitial glucose average without its number of days',
        (b) => measure(b, 'Observation-ExampleInterstitialGlucoseAverage.json', { extension: undefined }),
        'Observation.extension.numberOfDays is mandatory',
      ],
      ['no ifNoneExist', (b) => delete b.entry[1].request.ifNoneExist, 'Device request must have a valid IfNoneExist attribute'],
      [
        'ifNoneExist naming another device',
        (b) => (b.entry[1].request.ifNoneExist = 'identifier=urn:oid:2.999.1.2.3.2|OTHER'),
        'Device request must have a valid IfNoneExist attribute',
      ],
      ['Device without meta.profile', (b) => delete b.entry[1].resource.meta, 'Device must provide meta.profile value'],
      [
        'meta.source outside the app OID',
        (b) => (b.entry[0].resource.meta.source = 'urn:oid:1.2.3.4'),
        'Observation.meta.source must be urn:oid:<OID> under the OID of the application (2.999.1.2.3)',
      ],
    ];
    it.each(rules)("answers 422 with MES's message: %s", async (_name, mutate, message) => {
      const bundle = example('Bundle-ExampleFeedingBundle.json');
      mutate(bundle);
      const res = await app.post('/', bundle);
      expect(res.status).toBe(422);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(diagnostics(res.body)[0]).toBe(message);
      expect(res.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[\d\]/);
      // the rule's id travels with it, and the profile invariant that states the same rule is not reported again
      expect(res.body.issue[0].extension).toEqual([
        { url: 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id', valueString: expect.stringMatching(/^mes-/) },
      ]);
      expect(diagnostics(res.body).filter((d) => d.includes(message.replace(/ \(.*\)$/, '')))).toHaveLength(1);
      // and no issue words the opposite rule (a missing extension answered as one that cannot be added, or the reverse)
      const extension = /^Observation\.extension\.(\w+) (is mandatory|cannot be added)$/.exec(message);
      if (extension) {
        const opposite = `Observation.extension.${extension[1]} ${extension[2] === 'is mandatory' ? 'cannot be added' : 'is mandatory'}`;
        expect(diagnostics(res.body).join('\n')).not.toContain(opposite);
      }
    });

    it("answers 422 with the validator's findings when no MES rule names the fault", async () => {
      const bundle = example('Bundle-ExampleFeedingBundle.json');
      bundle.entry[0].resource.valueQuantity.code = 'lb';
      const res = await app.post('/', bundle);
      expect(res.status).toBe(422);
      expect(res.body.issue.some((i: any) => i.expression?.[0]?.startsWith('Bundle.entry[0].resource.value'))).toBe(true);
    });

    it('stores nothing of a Bundle refused for one bad entry (the valid Device is not created)', async () => {
      const device = phdDevice({
        identifierOid: '2.999.1.2.3.2',
        serial: 'ATOMIC-1',
        systemId: '0011223344556677',
        kind: 'weight-scale',
        manufacturer: 'Acme',
        model: 'S1',
      });
      const bad = feedingBundle(bodyWeight({ patient: ALICE, effective: '2026-03-20T08:00:00+01:00', kg: 70, device }), device);
      delete (bad.entry![0]!.resource as any).valueQuantity;
      expect((await app.post('/', bad)).status).toBe(422);
      const good = feedingBundle(bodyWeight({ patient: ALICE, effective: '2026-03-20T08:00:00+01:00', kg: 70, device }), device);
      const res = await app.post('/', good);
      expect(res.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created']);
    });

    it('rolls back every write of a failed SQL transaction', async () => {
      const before = await sandbox.db.query<{ n: string }>('SELECT count(*) AS n FROM resources');
      await expect(
        sandbox.db.transaction(async (tx) => {
          await tx.query(
            "INSERT INTO resources (type, id, version, last_updated, owner_client, content) VALUES ('Observation', 'rollback-1', 1, now(), 'x', '{}')",
          );
          await tx.query(
            "INSERT INTO resources (type, id, version, last_updated, owner_client, content) VALUES ('Observation', 'rollback-1', 1, now(), 'x', '{}')",
          );
        }),
      ).rejects.toMatchObject({ code: '23505' }); // the database's own error code crosses its thread
      // and when the work itself fails after a write that succeeded
      await expect(
        sandbox.db.transaction(async (tx) => {
          await tx.query(
            "INSERT INTO resources (type, id, version, last_updated, owner_client, content) VALUES ('Observation', 'rollback-2', 1, now(), 'x', '{}')",
          );
          throw new Error('the work failed');
        }),
      ).rejects.toThrow('the work failed');
      const after = await sandbox.db.query<{ n: string }>('SELECT count(*) AS n FROM resources');
      expect(Number(after.rows[0]!.n)).toBe(Number(before.rows[0]!.n));
    });

    it('answers 403 for a patient the app is not paired with', async () => {
      const bundle = feedingBundle(bodyWeight({ patient: { oid: '2.999.1.2.3', idPe: 'IDPE-UNKNOWN' }, effective: '2026-03-20T08:00:00+01:00', kg: 70 }));
      const res = await app.post('/', bundle);
      expect(res.status).toBe(403);
      expect(diagnostics(res.body)[0]).toMatch(/idPe mismatch or no consent/);
    });

    it('computes the BMI from the latest weight and height', async () => {
      const pairing = (await app.post('/pairing', { patient: 'carla' })).body;
      const patient = { oid: pairing.oid, idPe: pairing.idPe };
      expect((await app.post('/', feedingBundle(bodyHeight({ patient, effective: '2026-01-10T09:00:00+01:00', cm: 170 })))).status).toBe(200);
      expect((await app.post('/', feedingBundle(bodyWeight({ patient, effective: '2026-01-11T09:00:00+01:00', kg: 72.25 })))).status).toBe(200);
      const res = await app.get(`/Observation?subject.identifier=${pairing.searchValue}&code=39156-5&_sort=-date`);
      expect(res.body.total).toBe(1);
      const bmi = res.body.entry[0].resource;
      expect(bmi.valueQuantity).toMatchObject({ value: 25, code: 'kg/m2' });
      expect(bmi.effectiveDateTime).toBe('2026-01-11T09:00:00+01:00');
      expect(errorsOf(res.body, `${PROFILE}mes-bundle-searchset`)).toEqual([]);
    });

    describe('search', () => {
      let patient: { oid: string; idPe: string };
      let search: string;
      beforeAll(async () => {
        const pairing = (await app.post('/pairing', { patient: 'dora' })).body;
        patient = { oid: pairing.oid, idPe: pairing.idPe };
        search = pairing.searchValue;
        const device = phdDevice({
          identifierOid: '2.999.1.2.3.2',
          serial: 'GLU-1',
          systemId: '00:11:22:33:44:55:66:78',
          kind: 'glucose-monitor',
          manufacturer: 'Acme',
          model: 'G1',
        });
        for (let day = 1; day <= 5; day++) {
          const measure = bloodGlucose({ patient, effective: `2026-02-0${day}T07:30:00+01:00`, mgPerDl: 90 + day, moment: 'fasting', device });
          expect((await app.post('/', feedingBundle(measure, device))).status).toBe(200);
        }
      });

      it('pages a period with _count and _offset, with self, previous and next links', async () => {
        const page = (offset: number) =>
          app.get(`/Observation?subject.identifier=${search}&code=2345-7&date=ge2026-02-01&date=le2026-02-05&_count=2${offset ? `&_offset=${offset}` : ''}`);
        const first = await page(0);
        expect(first.status).toBe(200);
        expect(first.body.total).toBe(5);
        expect(first.body.entry.map((e: any) => e.resource.valueQuantity.value)).toEqual([95, 94]);
        expect(first.body.link.map((l: any) => l.relation)).toEqual(['self', 'next']);
        const next = first.body.link.find((l: any) => l.relation === 'next').url as string;
        const second = await app.get(next.slice(sandbox.url.length));
        expect(second.body.entry.map((e: any) => e.resource.valueQuantity.value)).toEqual([93, 92]);
        expect(second.body.link.map((l: any) => l.relation)).toEqual(['self', 'previous', 'next']);
        const last = await page(2);
        expect(last.body.entry).toHaveLength(1);
        expect(last.body.link.map((l: any) => l.relation)).toEqual(['self', 'previous']);
        for (const b of [first.body, second.body, last.body]) expect(errorsOf(b, `${PROFILE}mes-bundle-searchset`)).toEqual([]);
      });

      it('narrows by date and returns the last measure with its device included once', async () => {
        const period = await app.get(`/Observation?subject.identifier=${search}&code=2345-7&date=ge2026-02-02&date=le2026-02-03`);
        expect(period.body.total).toBe(2);
        const lastOne = await app.get(
          `/Observation?subject.identifier=${search}&code=http://loinc.org|2345-7&_sort=-date&_count=3&_include=Observation:device`,
        );
        expect(lastOne.body.entry.filter((e: any) => e.search.mode === 'match')).toHaveLength(3);
        const included = lastOne.body.entry.filter((e: any) => e.search.mode === 'include');
        expect(included).toHaveLength(1);
        expect(included[0].resource.resourceType).toBe('Device');
        expect(errorsOf(lastOne.body, `${PROFILE}mes-bundle-searchset`)).toEqual([]);
      });

      it.each([
        ['no subject', '?code=2345-7&_sort=-date', 400],
        ['no code', `?subject.identifier=${ALICE_SEARCH}&_sort=-date`, 400],
        ['neither period nor last', `?subject.identifier=${ALICE_SEARCH}&code=2345-7`, 400],
        ['one bound only', `?subject.identifier=${ALICE_SEARCH}&code=2345-7&date=ge2026-01-01`, 400],
        ['_count above 100', `?subject.identifier=${ALICE_SEARCH}&code=2345-7&_sort=-date&_count=101`, 400],
        ['unknown parameter', `?subject.identifier=${ALICE_SEARCH}&code=2345-7&_sort=-date&patient=1`, 400],
        ['bad date', `?subject.identifier=${ALICE_SEARCH}&code=2345-7&date=ge2026-13-45T99&date=le2026`, 400],
        ["another app's patient", `?subject.identifier=urn:oid:2.999.7.7|IDPE-X&code=2345-7&_sort=-date`, 403],
      ])('refuses %s', async (_name, query, status) => {
        const res = await app.get(`/Observation${query}`);
        expect(res.status).toBe(status);
        expect(res.body.resourceType).toBe('OperationOutcome');
      });
    });
  });

  describe('isolation between apps', () => {
    it('another app gets 404 for data it may not read and 403 for searching a patient it is not paired with', async () => {
      const posted = await app.post('/', example('Bundle-ExampleFeedingBundle.json'));
      const [obs, device] = posted.body.entry.map((e: any) => (e.response.location as string).split('/_history')[0]);
      expect((await app.get(`/${obs}`)).status).toBe(200);
      expect((await app.get(`/${device}`)).body.resourceType).toBe('Device');
      expect((await other.get(`/${obs}`)).status).toBe(404);
      expect((await other.get(`/${device}`)).status).toBe(404);
      expect((await other.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`)).status).toBe(403);
      // Another app's own pairing with the same person sees the record under its own idPe.
      const bob = (await other.post('/pairing', { patient: 'bob' })).body;
      const bobOwn = (await app.post('/pairing', { patient: 'bob' })).body;
      const posted2 = await app.post(
        '/',
        feedingBundle(bodyWeight({ patient: { oid: bobOwn.oid, idPe: bobOwn.idPe }, effective: '2026-04-01T10:00:00+02:00', kg: 80 })),
      );
      const seen = await other.get(`/${posted2.body.entry[0].response.location.split('/_history')[0]}`);
      expect(seen.status).toBe(200);
      expect(seen.body.subject.identifier).toEqual({ system: 'urn:oid:2.999.7.7', value: bob.idPe });
    });

    it('two apps × every read path: read, search, _include, paging links, Binary', async () => {
      // app writes one of each kind of resource for alice, whom the other app is not paired with
      const fed = await app.post('/', example('Bundle-ExampleFeedingBundle.json'));
      const [observation, device] = fed.body.entry.map((e: any) => (e.response.location as string).split('/_history')[0]);
      const booked = await app.post('/Appointment', example('Appointment-ExampleAppointmentTeleconsultation.json'));
      const published = await app.post('/DocumentReference', example('DocumentReference-ExampleDocumentReference.json'));
      const binary = (published.body.content[0].attachment.url as string).slice(sandbox.url.length);
      const reads = [`/${observation}`, `/${device}`, `/Appointment/${booked.body.id}`, `/DocumentReference/${published.body.id}`, binary];
      const searches = [
        `/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date&_include=Observation:device`,
        `/Appointment?patient.identifier=${ALICE_SEARCH}`,
        `/DocumentReference?patient.identifier=${ALICE_SEARCH}`,
      ];
      for (const path of reads) {
        expect((await app.get(path)).status, path).toBe(200);
        expect((await other.get(path)).status, path).toBe(404);
      }
      for (const path of searches) {
        const own = await app.get(`${path}&_count=1`);
        expect(own.status, path).toBe(200);
        expect((await other.get(path)).status, path).toBe(403);
        // the paging links of the app's answer give the other app nothing either
        for (const link of own.body.link ?? []) expect((await other.get((link.url as string).slice(sandbox.url.length))).status, link.url).toBe(403);
      }
    });

    it("an app cannot point at another app's Device, nor see it through _include", async () => {
      const bob = (await other.post('/pairing', { patient: 'bob' })).body;
      const bobOwn = (await app.post('/pairing', { patient: 'bob' })).body;
      // app's Device, created with a measure of bob
      const scale = phdDevice({
        identifierOid: '2.999.1.2.3.2',
        serial: 'LEAK-1',
        systemId: '0011223344556688',
        kind: 'weight-scale',
        manufacturer: 'Acme',
        model: 'S1',
      });
      const posted = await app.post(
        '/',
        feedingBundle(bodyWeight({ patient: { oid: bobOwn.oid, idPe: bobOwn.idPe }, effective: '2026-05-01T10:00:00+02:00', kg: 81, device: scale }), scale),
      );
      expect(posted.status).toBe(200);
      const device = (posted.body.entry as any[]).map((e) => e.response.location.split('/_history')[0] as string).find((l) => l.startsWith('Device/'))!;
      // the other app names it from a Bundle that carries no Device: refused with MES's message, nothing stored
      const measure = bodyWeight({ patient: { oid: bob.oid, idPe: bob.idPe }, effective: '2026-05-02T10:00:00+02:00', kg: 82 });
      const alone = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:6f1c1f5e-0000-4000-8000-000000000001',
            resource: { ...measure, device: { reference: device } },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      };
      const refused = await other.post('/', alone);
      expect(refused.status).toBe(422);
      expect(diagnostics(refused.body), JSON.stringify(refused.body)).toContain('Observation and device not linked by id');
      const missing = await other.post('/', { ...alone, entry: [{ ...alone.entry[0], resource: { ...measure, device: { reference: 'Device/nope' } } }] });
      expect(missing.status).toBe(422);
      // a shared patient's measures show the other app's Device to neither search nor _include
      const searched = await other.get(
        `/Observation?subject.identifier=urn:oid:${bob.oid}|${bob.idPe}&code=29463-7&_sort=-date&_count=50&_include=Observation:device`,
      );
      expect(searched.status).toBe(200);
      const types = (searched.body.entry ?? []).map((e: any) => e.resource.resourceType);
      expect(types).toContain('Observation');
      expect(types).not.toContain('Device');
      expect((await other.get(`/${device}`)).status).toBe(404);
      // the app that owns it still gets it included
      const own = await app.get(
        `/Observation?subject.identifier=urn:oid:${bobOwn.oid}|${bobOwn.idPe}&code=29463-7&_sort=-date&_count=50&_include=Observation:device`,
      );
      expect((own.body.entry ?? []).map((e: any) => e.resource.resourceType)).toContain('Device');
    });

    it('every reference an app writes names a resource of the same patient that it may read', async () => {
      const published = await app.post('/DocumentReference', example('DocumentReference-ExampleDocumentReference.json'));
      expect(published.status).toBe(201);
      const alices = `DocumentReference/${published.body.id}`;
      const NOT_READABLE = `${alices} is not a resource of this patient that this application may read`;
      // the example document, its CDA's recordTarget and the DocumentReference's subject made another patient's
      const documentOf = (who: { oid: string; idPe: string }, extra: object) => {
        const doc = example('DocumentReference-ExampleDocumentReference.json');
        const attachment = doc.content[0].attachment;
        const cda = Buffer.from(
          Buffer.from(attachment.data, 'base64')
            .toString('utf8')
            .replace(`<id root="${ALICE.oid}" extension="${ALICE.idPe}"/>`, `<id root="${who.oid}" extension="${who.idPe}"/>`),
        );
        Object.assign(attachment, { data: cda.toString('base64'), size: cda.length, hash: createHash('sha1').update(cda).digest('base64') });
        return { ...doc, subject: { identifier: { system: `urn:oid:${who.oid}`, value: who.idPe } }, ...extra };
      };
      const bob = (await other.post('/pairing', { patient: 'bob' })).body;
      const bobOwn = (await app.post('/pairing', { patient: 'bob' })).body;
      // another app: refused, whether it names the document relatively or by the sandbox's URL, and nothing says it exists
      for (const [reference, extra] of [
        [alices, { relatesTo: [{ code: 'replaces', target: { reference: alices } }] }],
        [`${sandbox.url}/${alices}`, { context: { related: [{ reference: `${sandbox.url}/${alices}` }] } }],
        ['DocumentReference/nope', { relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/nope' } }] }],
      ] as const) {
        const res = await other.post('/DocumentReference', documentOf(bob, extra));
        expect(res.status, JSON.stringify(res.body)).toBe(422);
        expect(diagnostics(res.body)).toEqual([`${reference} is not a resource of this patient that this application may read`]);
      }
      // the same app, another of its patients: refused too (a document of bob does not replace alice's)
      const crossed = await app.post('/DocumentReference', documentOf(bobOwn, { relatesTo: [{ code: 'replaces', target: { reference: alices } }] }));
      expect(crossed.status).toBe(422);
      expect(diagnostics(crossed.body)).toEqual([NOT_READABLE]);
      expect(crossed.body.issue[0].expression).toEqual(['DocumentReference.relatesTo[0].target.reference']);
      // the same app and patient: accepted
      const replacing = await app.post('/DocumentReference', documentOf(ALICE, { relatesTo: [{ code: 'replaces', target: { reference: alices } }] }));
      expect(replacing.status, JSON.stringify(replacing.body)).toBe(201);
      // an appointment naming a resource nobody stored
      const appointment = example('Appointment-ExampleAppointmentCabinet.json');
      appointment.participant[1].actor.reference = 'Practitioner/unknown-1';
      const booked = await app.post('/Appointment', appointment);
      expect(booked.status, JSON.stringify(booked.body)).toBe(422);
      expect(diagnostics(booked.body)).toEqual(['Practitioner/unknown-1 is not a resource of this patient that this application may read']);
    });
  });

  describe('API Agenda', () => {
    it('creates, reads, updates and searches appointments', async () => {
      const created = await app.post('/Appointment', example('Appointment-ExampleAppointmentTeleconsultation.json'));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const location = created.headers.get('location')!;
      expect(location).toMatch(/\/Appointment\/[0-9a-f-]{36}\/_history\/1$/);
      const id = created.body.id;
      expect(errorsOf(created.body, `${PROFILE}mes-appointment`)).toEqual([]);
      const cancelled = { ...created.body, status: 'cancelled', cancelationReason: { text: 'Empêchement' } };
      const updated = await app.call('PUT', `/Appointment/${id}`, cancelled);
      expect(updated.status).toBe(200);
      expect(updated.body.meta.versionId).toBe('2');
      expect((await app.get(`/Appointment/${id}`)).body.status).toBe('cancelled');
      expect((await app.call('PUT', `/Appointment/${id}`, { ...cancelled, id: 'other' })).status).toBe(400);
      expect((await other.call('PUT', `/Appointment/${id}`, cancelled)).status).toBe(404);
      const upcoming = appointment({
        patient: ALICE,
        start: '2026-12-20T10:00:00+01:00',
        end: '2026-12-20T10:20:00+01:00',
        mode: 'in-person',
        reason: 'Contrôle',
        practitioner: { rpps: '10001234567', name: 'Dr Claire Martin' },
      });
      expect((await app.post('/Appointment', upcoming)).status).toBe(201);
      const found = await app.get(`/Appointment?patient.identifier=${ALICE_SEARCH}&date=ge2026-12-15`);
      expect(found.status).toBe(200);
      expect(found.body.entry.map((e: any) => e.resource.start)).toEqual(['2026-12-20T10:00:00+01:00']);
      expect(errorsOf(found.body, `${PROFILE}mes-bundle-appointment-searchset`)).toEqual([]);
      const booked = await app.get(`/Appointment?patient.identifier=${ALICE_SEARCH}&status=cancelled`);
      expect(booked.body.total).toBe(1);
    });

    it('answers 422 for an appointment that breaks the profile', async () => {
      const bad = example('Appointment-ExampleAppointmentTeleconsultation.json');
      delete bad.end;
      const res = await app.post('/Appointment', bad);
      expect(res.status).toBe(422);
      expect(res.body.issue.some((i: any) => i.expression?.[0] === 'Appointment.end')).toBe(true);
    });
  });

  describe('API Documents', () => {
    it('publishes (ITI-105), finds (ITI-67) and returns the document bytes (ITI-68)', async () => {
      const doc = example('DocumentReference-ExampleDocumentReference.json');
      const res = await app.post('/DocumentReference', doc);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const url = res.body.content[0].attachment.url as string;
      expect(url).toMatch(new RegExp(`^${sandbox.url}/Binary/[0-9a-f-]{36}$`));
      expect(res.body.content[0].attachment.data).toBeUndefined();
      const bytes = await app.get(url.slice(sandbox.url.length));
      expect(bytes.status).toBe(200);
      expect(bytes.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(bytes.body).toBe(Buffer.from(doc.content[0].attachment.data, 'base64').toString('utf8'));
      expect((await other.get(url.slice(sandbox.url.length))).status).toBe(404);
      const asResource = await app.call('GET', url.slice(sandbox.url.length), undefined, { accept: 'application/fhir+json' });
      expect(asResource.body).toMatchObject({ resourceType: 'Binary', contentType: 'text/xml', data: doc.content[0].attachment.data });
      const found = await app.get(`/DocumentReference?patient.identifier=${ALICE_SEARCH}&status=current`);
      expect(found.body.entry.map((e: any) => e.resource.id)).toContain(res.body.id);
    });

    it('returns a document near the size limit byte for byte (ITI-105, ITI-68)', async () => {
      // the example CDA grown to ~700 KiB by a comment of multi-byte characters and random text
      // (base64Binary stays under its 1 MiB): the bytes cross the database as base64, both ways
      const doc = example('DocumentReference-ExampleDocumentReference.json');
      const cda = Buffer.from(doc.content[0].attachment.data, 'base64').toString('utf8');
      const padding = `<!-- ${'é€😀'.repeat(20_000)} ${randomBytes(400 * 1024).toString('base64')} -->`;
      const data = Buffer.from(cda.replace('</ClinicalDocument>', `${padding}</ClinicalDocument>`));
      expect(data.length).toBeGreaterThan(cda.length + 500_000);
      Object.assign(doc.content[0].attachment, {
        data: data.toString('base64'),
        size: data.length,
        hash: createHash('sha1').update(data).digest('base64'),
      });
      const res = await app.post('/DocumentReference', doc);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const bytes = await fetch(res.body.content[0].attachment.url, { headers: { authorization: `Bearer ${app.token}` } });
      expect(bytes.status).toBe(200);
      expect(Buffer.from(await bytes.arrayBuffer()).equals(data)).toBe(true);
    });

    it('accepts a provide-document Bundle (ITI-65) and refuses a document whose hash is wrong', async () => {
      const bundle = example('Bundle-ExampleProvideDocumentBundle.json');
      const res = await app.post('/', bundle);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.entry.map((e: any) => e.response.location.split('/')[0])).toEqual(['List', 'DocumentReference', 'Binary']);
      const list = await app.get(`/${res.body.entry[0].response.location.split('/_history')[0]}`);
      expect(list.status).toBe(404); // Lists are stored, not served: MES has no List API.
      const doc = await app.get(`/${res.body.entry[1].response.location.split('/_history')[0]}`);
      expect(doc.body.content[0].attachment.url).toBe(`${sandbox.url}/${res.body.entry[2].response.location.split('/_history')[0]}`);
      const wrong = example('DocumentReference-ExampleDocumentReference.json');
      wrong.content[0].attachment.hash = Buffer.alloc(20).toString('base64');
      const refused = await app.post('/DocumentReference', wrong);
      expect(refused.status).toBe(422);
      expect(refused.body.issue.some((i: any) => /SHA-1|hash/i.test(i.diagnostics))).toBe(true);
    });
  });

  describe('hostile input', () => {
    it('answers clean 4xx to oversized, deep, malformed and SQL-looking requests', async () => {
      const token = await app.login();
      const raw = (method: string, path: string, body?: string, type = 'application/fhir+json') =>
        fetch(`${sandbox.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
      expect((await raw('POST', '/', 'x'.repeat(11 * 1024 * 1024))).status).toBe(413);
      expect((await raw('POST', '/', `${'['.repeat(5000)}${']'.repeat(5000)}`)).status).toBe(400);
      expect((await raw('POST', '/', '{"resourceType": "Bundle", "entry": [')).status).toBe(400);
      expect((await raw('POST', '/', '<Bundle/>', 'application/xml')).status).toBe(415);
      expect((await raw('POST', '/', '"just a string"')).status).toBe(400);
      const sqlish = encodeURIComponent("' OR 1=1; DROP TABLE resources; --");
      const searched = await app.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=${sqlish}&_sort=-date`);
      expect(searched.status).toBe(200);
      expect(searched.body.total).toBe(0);
      expect((await app.get(`/Observation?subject.identifier=${sqlish}|x&code=1&_sort=-date`)).status).toBe(403);
      expect((await app.get(`/Observation/${sqlish}`)).status).toBe(404);
      expect((await app.get('/Observation/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
      expect((await app.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=1&_sort=-date&_count=99999999999`)).status).toBe(400);
      expect((await app.get('/Nothing')).status).toBe(404);
      // the SQL-looking values changed nothing: the stored measures are all still there
      const stillThere = await app.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`);
      expect(stillThere.body.total).toBeGreaterThan(0);
    });

    it('refuses control characters, invalid UTF-8, malformed credentials and impossible dates at the edge, with an OperationOutcome', async () => {
      const token = await app.login();
      const outcome = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any });
      const refused = async (res: Response, status: number, text: RegExp) => {
        const got = await outcome(res);
        expect(got.status).toBe(status);
        expect(got.type).toMatch(/^application\/fhir\+json/);
        expect(got.body.resourceType).toBe('OperationOutcome');
        expect(got.body.issue[0].diagnostics).toMatch(text);
      };
      // a NUL in an id or a search value (the database refused it: HTTP 500 before)
      await refused(await fetch(`${sandbox.url}/Observation/a%00b`, { headers: { authorization: `Bearer ${token}` } }), 400, /control character U\+0000/);
      await refused(
        await fetch(`${sandbox.url}/Observation?subject.identifier=${ALICE_SEARCH}&code=1%00&_sort=-date`, { headers: { authorization: `Bearer ${token}` } }),
        400,
        /control character U\+0000/,
      );
      await refused(await fetch(`${sandbox.url}/Observation/%E0%A4%A`, { headers: { authorization: `Bearer ${token}` } }), 400, /Malformed request/);
      await refused(await fetch(`${sandbox.url}/Observation?code=%E0%A4%A`, { headers: { authorization: `Bearer ${token}` } }), 400, /malformed %-escape/);
      // a NUL in any string of a posted Bundle: the validator's 422, nothing stored
      const bundle = example('Bundle-ExampleFeedingBundle.json');
      bundle.entry[0].resource.code.text = 'Poids\u0000';
      const posted = await fetch(`${sandbox.url}/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(bundle),
      });
      expect(posted.status).toBe(422);
      expect(JSON.stringify(await posted.json())).toMatch(/control character U\+0000/);
      // invalid UTF-8 is refused, not replaced by U+FFFD and stored
      const invalid = Buffer.concat([Buffer.from('{"resourceType": "Bundle", "type": "transaction", "id": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      await refused(
        await fetch(`${sandbox.url}/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
          body: invalid,
        }),
        400,
        /not valid UTF-8/,
      );
      // impossible search dates
      await refused(
        await fetch(`${sandbox.url}/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&date=ge2026-02-30`, {
          headers: { authorization: `Bearer ${token}` },
        }),
        400,
        /no such day/,
      );
      // auth schemes are case-insensitive; malformed Basic credentials are a 401, not a 500
      expect((await fetch(`${sandbox.url}/pairing`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
      const basic = (credentials: string) =>
        fetch(`${sandbox.url}/oauth/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
      const malformed = await basic('suivi%-sante:secret');
      expect(malformed.status).toBe(401);
      expect(await malformed.json()).toMatchObject({ error: 'invalid_client' });
      expect((await basic('suivi-sante:secret-suivi')).status).toBe(200);
      // what Fastify and Node answer themselves is an OperationOutcome too
      await refused(await fetch(`${sandbox.url}/metadata`, { headers: { 'x-big': 'x'.repeat(20_000) } }), 431, /headers are too large/);
    });

    it('never answers 5xx to arbitrary JSON posted to any route', async () => {
      const token = await app.login();
      const routes = ['/', '/Appointment', '/DocumentReference', '/pairing'];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...routes), anyBody, async (route, body) => {
          const res = await fetch(`${sandbox.url}${route}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
            body: JSON.stringify(body),
          });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
        }),
        { numRuns: 150 },
      );
    });

    it('never answers 5xx to arbitrary reads, searches and updates, and answers after', async () => {
      const token = await app.login();
      const names = ['subject.identifier', 'patient.identifier', 'code', 'date', 'status', 'type', '_sort', '_count', '_offset', '_include', 'x'];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            'GET /Observation',
            'GET /Appointment',
            'GET /DocumentReference',
            'GET /Observation/',
            'GET /Device/',
            'GET /Binary/',
            'GET /Appointment/',
            'PUT /Appointment/',
          ),
          fc.string({ maxLength: 80 }),
          fc.array(fc.tuple(fc.constantFrom(...names), fc.string({ maxLength: 40 })), { maxLength: 5 }),
          fc.jsonValue(),
          async (route, id, params, body) => {
            const [method, path] = route.split(' ') as [string, string];
            const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
            const url = `${sandbox.url}${path}${path.endsWith('/') ? encodeURIComponent(id) : ''}${query ? `?${query}` : ''}`;
            const res = await fetch(url, {
              method,
              headers: { authorization: `Bearer ${token}`, ...(method === 'PUT' ? { 'content-type': 'application/fhir+json' } : {}) },
              body: method === 'PUT' ? JSON.stringify(body) : undefined,
            });
            expect(res.status, url).toBeLessThan(500);
          },
        ),
        { numRuns: 300 },
      );
      expect((await fetch(`${sandbox.url}/metadata`)).status).toBe(200);
    });
  });

  describe('large resources', () => {
    // over 1 MiB of JSON: on PGlite kept in a file of the database folder, its row a summary
    const contentFiles = () => (existsSync(join(database, 'large-contents')) ? readdirSync(join(database, 'large-contents')).sort() : []);
    const rowOf = async (type: string, id: string) =>
      (
        await sandbox.db.query<{ content: any; content_file: string | null }>('SELECT content, content_file FROM resources WHERE type = $1 AND id = $2', [
          type,
          id,
        ])
      ).rows[0]!;

    it('stores, reads, searches and updates them whole, across a restart', async () => {
      const bundle = example('Bundle-ExampleFeedingBundle.json');
      bundle.entry[0].resource = claimingUnknown(bundle.entry[0].resource, 40_000);
      bundle.entry[0].resource.effectiveDateTime = '2031-01-02T08:00:00+01:00';
      const fed = await app.post('/', bundle);
      expect(fed.status, JSON.stringify(fed.body).slice(0, 500)).toBe(200);
      const id = fed.body.entry[0].response.location.split('/')[1];
      const profiles = bundle.entry[0].resource.meta.profile;
      expect((await app.get(`/Observation/${id}`)).body.meta.profile).toEqual(profiles);
      const last = await app.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date&_count=1`);
      expect(last.body.entry[0].resource.id).toBe(id);
      expect(last.body.entry[0].resource.meta.profile).toEqual(profiles);
      const row = await rowOf('Observation', id);
      if (target.name === 'PGlite') {
        expect(row.content_file).toMatch(new RegExp(`^Observation-${id}-1-[0-9a-f]{8}\\.json$`));
        expect(contentFiles()).toContain(row.content_file);
        expect(row.content).toEqual({ resourceType: 'Observation', id, status: 'final', effectiveDateTime: '2031-01-02T08:00:00+01:00' });
      } else {
        expect(row.content_file).toBeNull();
        expect(row.content.meta.profile).toHaveLength(profiles.length);
      }

      // an update replaces the file of the former version; a status filter still reads the row
      const created = await app.post('/Appointment', claimingUnknown(example('Appointment-ExampleAppointmentTeleconsultation.json'), 40_000));
      expect(created.status, JSON.stringify(created.body).slice(0, 500)).toBe(201);
      const appointmentId = created.body.id;
      const updated = await app.call('PUT', `/Appointment/${appointmentId}`, {
        ...created.body,
        status: 'cancelled',
        cancelationReason: { text: 'Empêchement' },
      });
      expect(updated.status).toBe(200);
      const cancelled = await app.get(`/Appointment?patient.identifier=${ALICE_SEARCH}&status=cancelled`);
      expect(cancelled.body.entry.map((e: any) => e.resource.id)).toContain(appointmentId);
      expect(cancelled.body.entry.find((e: any) => e.resource.id === appointmentId).resource.meta.profile).toHaveLength(created.body.meta.profile.length);
      if (target.name === 'PGlite') {
        expect(contentFiles().filter((f) => f.includes(appointmentId))).toEqual([(await rowOf('Appointment', appointmentId)).content_file]);
        expect((await rowOf('Appointment', appointmentId)).content_file).toMatch(new RegExp(`^Appointment-${appointmentId}-2-`));
        // a file no row names (a stop between a file and its commit) goes at the next start
        writeFileSync(join(database, 'large-contents', 'Observation-left-over-1.json.tmp'), '{}');
      }

      await sandbox.close();
      await start();
      expect((await app.get(`/Observation/${id}`)).body.meta.profile).toEqual(profiles);
      expect((await app.get(`/Appointment/${appointmentId}`)).body.status).toBe('cancelled');
      if (target.name === 'PGlite')
        expect(contentFiles()).toEqual([(await rowOf('Appointment', appointmentId)).content_file, (await rowOf('Observation', id)).content_file]);
    });
  });

  describe('restart', () => {
    it('keeps pairings, data and valid tokens across a restart on the same database', async () => {
      // what it keeps, made here (whatever the tests before it left)
      expect((await app.post('/', example('Bundle-ExampleFeedingBundle.json'))).status).toBe(200);
      expect([200, 201]).toContain((await app.post('/pairing', { patient: 'bob' })).status);
      const token = await app.login();
      const before = await app.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`);
      expect(before.body.total).toBeGreaterThan(0);
      await sandbox.close();
      await start();
      app.token = token;
      const after = await app.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`);
      expect(after.status).toBe(200);
      expect(after.body.total).toBe(before.body.total);
      expect(after.body.entry.map((e: any) => e.resource.id)).toEqual(before.body.entry.map((e: any) => e.resource.id));
      expect((await app.post('/pairing', { patient: 'bob' })).status).toBe(200);
      // each migration applied once, none again at the restart
      const { rows } = await sandbox.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(migrationFiles().map((m) => m.version));
    });
  });
});

describe('sandbox validation in worker threads', () => {
  let sandbox: Sandbox;
  let heavy: Client;
  let quiet: Client;
  beforeAll(async () => {
    sandbox = await startSandbox({
      validator,
      database: join(scratch, 'workers-db'),
      config: readConfig(CONFIG_FILE),
      port: 0,
      validationWorkers: { count: 2, load: WORKERS_LOAD, budgetMs: 20_000 },
    });
    heavy = new Client(sandbox.url, 'suivi-sante', 'secret-suivi');
    quiet = new Client(sandbox.url, 'autre-app', 'secret-autre');
    await heavy.login();
    await quiet.login();
  });
  afterAll(() => sandbox?.close());

  it('a costly body costs its own thread: another client is answered while it is validated', async () => {
    const bundle = example('Bundle-ExampleFeedingBundle.json');
    bundle.entry[0].resource = claimingUnknown(bundle.entry[0].resource, 200_000);
    const order: string[] = [];
    const started = performance.now();
    const posting = heavy.post('/', bundle).then((r) => {
      order.push('heavy');
      return r;
    });
    // the other client asks while the heavy body is parsed and validated
    await new Promise((r) => setTimeout(r, 50));
    const asked = performance.now();
    const metadata = await quiet.get('/metadata');
    const waited = performance.now() - asked;
    order.push('metadata');
    const posted = await posting;
    const heavyTime = performance.now() - started;
    // in process, the other client waited nearly as long as the heavy request (1.9 of 2.2 s); in a thread, a tenth
    expect(waited).toBeLessThan(heavyTime / 3);
    expect(metadata.status).toBe(200);
    // unknown profiles are warnings, as in the HL7 validator: the measure is accepted
    expect(posted.status).toBe(200);
    expect(order).toEqual(['metadata', 'heavy']);
    // and the thread answers the next request as before
    expect((await heavy.post('/', example('Bundle-ExampleFeedingBundle.json'))).status).toBe(200);
  });

  it('large bodies never take the last free thread: a small body is validated while two large ones wait their turn', async () => {
    const large = example('Bundle-ExampleFeedingBundle.json');
    large.entry[0].resource = claimingUnknown(large.entry[0].resource, 200_000);
    const workers = await ValidationWorkers.start({ count: 2, load: WORKERS_LOAD });
    try {
      const small = example('Bundle-ExampleFeedingBundle.json');
      // both threads warm (a first validation compiles the profile's plan)
      await Promise.all([workers.issuesOf(small, `${PROFILE}mes-bundle-feeding`), workers.issuesOf(small, `${PROFILE}mes-bundle-feeding`)]);
      const order: string[] = [];
      const validate = (name: string, body: unknown) => workers.issuesOf(body, `${PROFILE}mes-bundle-feeding`).then(() => order.push(name));
      // the two large bodies are asked first, then the small one: with both threads taken by them, it would come after one
      await Promise.all([validate('large 1', large), validate('large 2', large), validate('small', small)]);
      expect(order).toEqual(['small', 'large 1', 'large 2']);
    } finally {
      await workers.close();
    }
  });

  it('a request past its time budget is answered 503, and a new thread takes over', async () => {
    const quick = await startSandbox({
      validator,
      database: join(scratch, 'budget-db'),
      config: readConfig(CONFIG_FILE),
      port: 0,
      validationWorkers: { count: 1, load: WORKERS_LOAD, budgetMs: 1 },
    });
    try {
      const client = new Client(quick.url, 'suivi-sante', 'secret-suivi');
      const res = await client.post('/', example('Bundle-ExampleFeedingBundle.json'));
      expect(res.status).toBe(503);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(diagnostics(res.body)[0]).toMatch(/^Validation of this request took more than 0.001 s and was stopped/);
      expect((await client.get('/metadata')).status).toBe(200);
      // a request handled whole on the thread (a body over 1 MiB) is stopped the same way, and its transaction rolled back
      const large = example('Bundle-ExampleFeedingBundle.json');
      large.entry[0].resource = claimingUnknown(large.entry[0].resource, 40_000);
      const stopped = await client.post('/', large);
      expect(stopped.status).toBe(503);
      expect(diagnostics(stopped.body)[0]).toMatch(/^This request took more than 0.001 s and was stopped/);
      expect((await quick.db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    } finally {
      await quick.close();
    }
  });
});

describe.each(targets)('large requests handled whole on a thread, on $name', (target) => {
  let sandbox: Sandbox;
  let app: Client;
  beforeAll(async () => {
    sandbox = await startSandbox({
      validator,
      database: await target.database(),
      config: readConfig(CONFIG_FILE),
      port: 0,
      record: true,
      validationWorkers: { count: 2, load: WORKERS_LOAD },
    });
    app = new Client(sandbox.url, 'suivi-sante', 'secret-suivi');
    await app.login();
  });
  afterAll(async () => {
    await sandbox?.close();
    await target.cleanup();
  });

  it('are authenticated, stored, refused and recorded as on the event loop', async () => {
    // over 1 MiB of JSON: the event loop hands the bytes to a thread, which serves the same routes
    const bundle = example('Bundle-ExampleFeedingBundle.json');
    bundle.entry[0].resource = claimingUnknown(bundle.entry[0].resource, 40_000);
    expect(JSON.stringify(bundle).length).toBeGreaterThan(1024 * 1024);
    const fed = await app.post('/', bundle);
    expect(fed.status, JSON.stringify(fed.body).slice(0, 500)).toBe(200);
    expect(fed.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const location = fed.body.entry[0].response.location as string;
    const read = await app.get(`/${location.split('/_history')[0]}`);
    expect(read.body.meta.profile).toEqual(bundle.entry[0].resource.meta.profile);

    // MES's rules and messages, from the thread
    const anonymous = structuredClone(bundle);
    delete anonymous.entry[0].resource.subject.identifier;
    const refused = await app.post('/', anonymous);
    expect(refused.status).toBe(422);
    expect(diagnostics(refused.body)).toContain('Observation.subject.identifier is mandatory');

    // no token: 401 with its challenge; a malformed body: 400
    const res = await fetch(`${sandbox.url}/`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    // OAuth and consent requests are a few fields, whose codes live on the event loop: a large one is refused before it is read
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/authorize', '/mes-applications']) {
      const form = await fetch(`${sandbox.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&padding=${'x'.repeat(64 * 1024)}`,
      });
      expect(form.status, path).toBe(413);
      expect(diagnostics(await form.json())).toEqual(['The body exceeds 65536 bytes']);
    }
    const broken = await app.call('POST', '/', `${JSON.stringify(bundle).slice(0, -1)},`);
    expect(broken.status).toBe(400);
    expect(diagnostics(broken.body)[0]).toMatch(/^The body is not JSON/);
    const text = JSON.stringify(bundle);
    const invalidUtf8 = await fetch(`${sandbox.url}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/fhir+json' },
      body: Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xff]), Buffer.from('}')]),
    });
    expect(invalidUtf8.status).toBe(400);
    expect(diagnostics(await invalidUtf8.json())).toEqual(['The body is not valid UTF-8']);

    // recorded in order, past the bound as its digest (the body that is not JSON was refused before its app was known)
    const { rows } = await sandbox.db.query<{ status: number; body: any }>(
      "SELECT status, request_body AS body FROM exchanges WHERE client_id = 'suivi-sante' AND method = 'POST' AND url = '/' ORDER BY seq",
    );
    expect(rows.map((r) => Number(r.status))).toEqual([200, 422]);
    const kept = typeof rows[0]!.body === 'string' ? JSON.parse(rows[0]!.body) : rows[0]!.body;
    expect(kept).toMatchObject({ omitted: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(kept.size).toBeGreaterThan(1024 * 1024);
    // and the event loop goes on with small bodies
    expect((await app.post('/', example('Bundle-ExampleFeedingBundle.json'))).status).toBe(200);
  });

  it('never answer 5xx to arbitrary JSON over 1 MiB sent to any route, and the event loop answers after', async () => {
    const routes = ['POST /', 'POST /Appointment', 'POST /DocumentReference', 'POST /pairing', 'PUT /Appointment/x', 'POST /oauth/token'];
    // trailing whitespace keeps any JSON valid while it takes the body past 1 MiB
    const padding = ' '.repeat(1024 * 1024);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), anyBody, async (route, body) => {
        const [method, path] = route.split(' ') as [string, string];
        const res = await fetch(`${sandbox.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(body) + padding,
        });
        expect(res.status, route).toBeGreaterThanOrEqual(200);
        expect(res.status, route).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    expect((await fetch(`${sandbox.url}/metadata`)).status).toBe(200);
  });
});

describe('mes-fhir sandbox (the command)', () => {
  const CLI = join(REPO_ROOT, 'packages', 'cli', 'bin', 'mes-fhir.js');

  /** Starts the command, resolves with its URL once it listens; the child is returned to stop it. */
  function run(args: string[]) {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', ...args], { cwd: scratch, env: { ...process.env } });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const listening = new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m && out.includes('Stop with Ctrl+C.')) resolveUrl(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, listening, exited, output: () => out, errors: () => err };
  }

  it('starts with a seed folder, serves it, loads each seed once, stops on SIGTERM', async () => {
    const seed = join(scratch, 'seed');
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'sandbox'), seed, { recursive: true });
    cpSync(join(EXAMPLES, 'Bundle-ExampleFeedingBundle.json'), join(seed, '10-feeding.json'));
    cpSync(join(EXAMPLES, 'Appointment-ExampleAppointmentCabinet.json'), join(seed, '20-appointment.json'));
    const database = join(scratch, 'cli-db');
    const first = run(['--seed', seed, '--database', database, '--generated', GENERATED]);
    const url = await first.listening;
    expect(first.output()).toContain('app suivi-sante: secret secret-suivi, OID 2.999.1.2.3');
    expect(first.errors()).toContain('seed: 10-feeding.json loaded');
    const client = new Client(url, 'suivi-sante', 'secret-suivi');
    const found = await client.get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`);
    expect(found.body.total).toBe(1);
    expect((await client.get(`/Appointment?patient.identifier=${ALICE_SEARCH}`)).body.total).toBe(1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = run(['--seed', seed, '--database', database, '--generated', GENERATED]);
    const url2 = await second.listening;
    expect(second.errors()).not.toContain('seed:');
    const again = await new Client(url2, 'suivi-sante', 'secret-suivi').get(`/Observation?subject.identifier=${ALICE_SEARCH}&code=29463-7&_sort=-date`);
    expect(again.body.total).toBe(1);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('exits 1 with a clear message on a bad configuration or a refused seed', async () => {
    const bad = join(scratch, 'bad-config.json');
    writeFileSync(bad, JSON.stringify({ apps: [{ clientId: 'a', clientSecret: 'b', oid: 'not-an-oid' }] }));
    const r = run(['--config', bad, '--database', join(scratch, 'bad-db')]);
    await expect(r.listening).rejects.toThrow(/apps\[0\]\.oid "not-an-oid" is not an OID/);
    expect(await r.exited).toBe(1);
  });
});
