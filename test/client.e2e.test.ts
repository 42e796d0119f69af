/**
 * `@mes-fhir/client` against the sandbox over real HTTP, on PGlite and on PostgreSQL when there is one: a token by client credentials, the
 * sandbox's pairing shortcut, then every typed call of the three APIs, MES's 422 as a code, the
 * optional local check, and the client bundled for a browser.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesApiError, MesClient, clientCredentials } from '@mes-fhir/client';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { appointment, bodyWeight, buildCdaLevel1, cancelAppointment, checkResource, documentReference, phdDevice } from '@mes-fhir/profiles';
import { readConfig, startSandbox, type Sandbox } from '@mes-fhir/sandbox';
import { Validator } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';
import { sandboxDatabases } from './helpers/sandbox-databases.js';

const scratch = mkdtempSync(join(tmpdir(), 'mes-client-test-'));
let sandbox: Sandbox;
let client: MesClient;
let patient: { oid: string; idPe: string };

const scale = () =>
  phdDevice({
    identifierOid: '2.999.1.2.3.2',
    serial: 'BX-42',
    systemId: '00-1B-2C-FF-FE-3D-4E-5F',
    kind: 'weight-scale',
    manufacturer: 'Balances',
    model: 'BX-200',
  });

let validator: Validator;
beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  validator = new Validator(indexFolders(projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir'))));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(sandboxDatabases(scratch))('@mes-fhir/client against the sandbox on $name', (target) => {
  beforeAll(async () => {
    sandbox = await startSandbox({
      validator,
      database: await target.database(),
      config: readConfig(join(REPO_ROOT, 'test', 'fixtures', 'sandbox', 'sandbox.json')),
      port: 0,
    });
    const tokens = clientCredentials({ tokenUrl: `${sandbox.url}/oauth/token`, clientId: 'suivi-sante', clientSecret: 'secret-suivi' });
    client = new MesClient({ baseUrl: sandbox.url, tokens });
    // the sandbox's shortcut for automated tests (MES pairs through OAuth pages)
    patient = (await client.request<{ oid: string; idPe: string }>('POST', 'pairing', { body: { patient: 'camille' } })).body;
  });
  afterAll(async () => {
    await sandbox?.close();
    await target.cleanup();
  });

  it('sends measures with their Device (created once, then known) and finds them all, page after page', async () => {
    const first = await client.measures.send(bodyWeight({ patient, effective: '2026-03-01T08:00:00+01:00', kg: 70.1 }), { device: scale() });
    expect(first.device?.created).toBe(true);
    expect(first.observation.location).toMatch(new RegExp(`Observation/${first.observation.id}/_history/1$`));
    const again = await client.measures.send(bodyWeight({ patient, effective: '2026-03-02T08:00:00+01:00', kg: 70.4 }), { device: scale() });
    expect(again.device).toMatchObject({ id: first.device!.id, created: false });
    await client.measures.send(bodyWeight({ patient, effective: '2026-03-03T08:00:00+01:00', kg: 70.0 }));

    const found: number[] = [];
    for await (const o of client.measures.search({ patient, code: '29463-7', count: 2 })) found.push(o.valueQuantity!.value!);
    expect(found).toEqual([70.0, 70.4, 70.1]);
    let pages = 0;
    for await (const page of client.measures.pages({ patient, code: '29463-7', from: '2026-03-01', to: '2026-03-02', count: 1, includeDevice: true })) {
      pages++;
      expect(page.entry?.some((e) => e.resource?.resourceType === 'Device')).toBe(true);
    }
    expect(pages).toBe(2);
  });

  it("surfaces MES's 422 as the code of its rule, with the OperationOutcome", async () => {
    const noValue = bodyWeight({ patient, effective: '2026-03-04T08:00:00+01:00', kg: 71 }) as unknown as Record<string, unknown>;
    delete noValue.valueQuantity;
    const e = (await client.measures.send(noValue as never).catch((x: unknown) => x)) as MesApiError;
    expect(e).toBeInstanceOf(MesApiError);
    expect([e.code, e.status]).toEqual(['mes-value-quantity-missing', 422]);
    expect(e.outcome?.issue.some((i) => i.diagnostics?.startsWith('Observation value quantity not provided'))).toBe(true);
  });

  it('refuses before sending when given checkResource, and sends nothing', async () => {
    let calls = 0;
    const counting = (async (url: string | URL | Request, init?: RequestInit) => {
      calls++;
      return fetch(url, init);
    }) as typeof fetch;
    const checked = new MesClient({
      baseUrl: sandbox.url,
      tokens: clientCredentials({ tokenUrl: `${sandbox.url}/oauth/token`, clientId: 'suivi-sante', clientSecret: 'secret-suivi' }),
      fetch: counting,
      check: checkResource,
    });
    const wrong = { ...bodyWeight({ patient, effective: '2026-03-05T08:00:00+01:00', kg: 71 }), status: 'done' };
    const e = (await checked.measures.send(wrong as never).catch((x: unknown) => x)) as MesApiError;
    expect([e.code, e.status, calls]).toEqual(['invalid-locally', 0, 0]);
    expect(e.message).toMatch(/^not sent: \d+ error\(s\) against https:\/\/mes-fhir\.org\/fhir\/StructureDefinition\/mes-bundle-feeding/);
  });

  it('creates, updates and finds an appointment', async () => {
    const booked = await client.appointments.create(
      appointment({
        patient,
        practitioner: { rpps: '10001234567', name: 'Dr Claire Martin' },
        start: '2026-12-15T09:30:00+01:00',
        end: '2026-12-15T09:50:00+01:00',
        mode: 'teleconsultation',
        reason: 'Suivi de la tension',
      }),
    );
    expect(booked.id).toBeTruthy();
    const cancelled = await client.appointments.update(cancelAppointment(booked, 'Empêchement'));
    expect(cancelled.status).toBe('cancelled');
    const found: string[] = [];
    for await (const a of client.appointments.search(patient, { status: 'cancelled' })) found.push(a.id!);
    expect(found).toEqual([booked.id]);
  });

  it('publishes a document, finds it and retrieves its bytes exactly', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.7 compte rendu de téléconsultation');
    const cda = buildCdaLevel1(
      {
        id: { root: '2.999.1.2.3.9', extension: 'DOC-1' },
        type: { code: '11488-4', displayName: 'Note de consultation' },
        title: 'Compte rendu',
        effectiveTime: '2026-03-20T09:00:00+01:00',
        patient: { id: { root: patient.oid, extension: patient.idPe } },
        author: { id: { root: '2.999.1.2.3.7', extension: 'APP' }, device: { model: 'Suivi', software: 'Suivi 4.2' } },
        custodian: { id: { root: '2.999.1.2.3' }, name: 'Éditeur' },
      },
      { pdf },
    );
    const published = await client.documents.publish(await documentReference({ cda, patient }));
    expect(published.id).toBeTruthy();
    const found = [];
    for await (const d of client.documents.search(patient)) found.push(d);
    expect(found.map((d) => d.id)).toEqual([published.id]);
    // by its url (ITI-68): the bytes of the CDA, checked against size and SHA-1
    expect(new TextDecoder().decode(await client.documents.retrieve(found[0]!))).toBe(cda);
    const tampered = structuredClone(found[0]!);
    tampered.content[0]!.attachment.hash = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    await expect(client.documents.retrieve(tampered)).rejects.toThrow(/its DocumentReference says AAAA/);
  });

  it('an aborted call stops with the code aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const e = (await client.measures
      .send(bodyWeight({ patient, effective: '2026-03-06T08:00:00+01:00', kg: 70 }), { signal: controller.signal })
      .catch((x: unknown) => x)) as MesApiError;
    expect(e.code).toBe('aborted');
  });
});

describe('@mes-fhir/client in a browser', () => {
  it('bundles for a browser with no Node built-in', async () => {
    const out = await build({
      stdin: {
        contents: "import { MesClient, clientCredentials } from '@mes-fhir/client'; globalThis.x = [MesClient, clientCredentials];",
        resolveDir: REPO_ROOT,
        loader: 'js',
      },
      bundle: true,
      write: false,
      minify: true,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
    });
    const text = out.outputFiles[0]!.text;
    expect(text).not.toMatch(/require\(["'](node:)?(fs|path|os|crypto|child_process|http|https)["']\)|from"node:/);
    expect(text).toContain('client_credentials');
  });
});
