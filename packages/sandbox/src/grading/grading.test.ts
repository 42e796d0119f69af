import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Validator } from '@mes-fhir/validator';
import { agendaScenarios } from '../apis/agenda-scenarios.js';
import { documentsScenarios } from '../apis/documents-scenarios.js';
import { mesuresScenarios } from '../apis/mesures-scenarios.js';
import { CALLS_AFTER_WITHDRAWAL, CROSS_API_SCENARIOS, PAIRING_SCENARIOS, payloadKind } from './common-scenarios.js';
import { digest, documentSha256, MASKED, recordedBody, type Exchange } from './exchange.js';
import { gradeApp } from './report.js';
import { reportJunit } from './report-junit.js';
import { reportHtml } from './report-html.js';
import { scenarioStatus, type Scenario } from './scenario.js';

/** The scenarios that need no definitions (the measures' list comes from them: none here). */
const noDefinitions = { index: { list: () => [] } } as unknown as Validator;
const SCENARIOS: Scenario[] = [...PAIRING_SCENARIOS, ...mesuresScenarios(noDefinitions), ...documentsScenarios, ...agendaScenarios, ...CROSS_API_SCENARIOS];
const scenario = (id: string) => SCENARIOS.find((s) => s.id === id)!;
const judged = (id: string, xs: Exchange[]) => scenarioStatus(scenario(id).judge(xs));

let seq = 0;
/** A recorded exchange; JSON answers unless said otherwise. */
function x(method: string, url: string, status: number, requestBody?: unknown, responseBody?: unknown, more: Partial<Exchange> = {}): Exchange {
  return {
    seq: ++seq,
    clientId: 'app',
    at: new Date(Date.UTC(2026, 4, 1, 8, 0, seq)).toISOString(),
    method,
    url,
    status,
    durationMs: 3,
    ...(requestBody !== undefined ? { requestBody } : {}),
    ...(responseBody !== undefined ? { responseType: 'application/fhir+json', responseBody } : {}),
    ...more,
  };
}
const outcome = (diagnostics: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics }] });
const token = (grant: string, status: number, body: Record<string, unknown> = {}) => x('POST', '/oauth/token', status, { grant_type: grant }, body);
const searchset = (next?: string, entries: unknown[] = []) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  link: next ? [{ relation: 'next', url: `http://127.0.0.1:8080${next}` }] : [],
  entry: entries.map((resource) => ({ resource })),
});
const deviceEntry = (value: string) => ({ resource: { resourceType: 'Device', identifier: [{ system: 'urn:oid:2.999.1', value }] } });
const feeding = (status: number, entries: unknown[], responses: string[]) =>
  x(
    'POST',
    '/',
    status,
    { resourceType: 'Bundle', type: 'transaction', entry: entries },
    { resourceType: 'Bundle', entry: responses.map((s) => ({ response: { status: s.split(' @')[0], location: s.split(' @')[1] } })) },
  );
const weight = { resource: { resourceType: 'Observation', meta: { profile: ['p-weight'] }, code: { coding: [{ code: '29463-7' }] } } };

describe('what is recorded of a body', () => {
  it('replaces document bytes by their size and SHA-256, wherever FHIR puts them', () => {
    const pdf = Buffer.from('%PDF-1.7 bonjour');
    const body = recordedBody({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Binary', data: pdf.toString('base64') } }] }, 'fhir') as any;
    const marker = body.entry[0].resource.data as string;
    expect(marker).toBe(`[document de ${pdf.length} octets, SHA-256 ${digest(pdf).sha256}]`);
    expect(documentSha256(marker)).toBe(digest(pdf).sha256);
    expect(documentSha256('[document de 3 octets, SHA-256 abc]')).toBeUndefined();
  });
  it('masks the OAuth secrets at the top of a form or answer, and nothing of a FHIR body', () => {
    const form = recordedBody({ grant_type: 'authorization_code', code: 'c0de', code_verifier: 'v', client_secret: 's', redirect_uri: 'http://x' }, 'oauth');
    expect(form).toEqual({ grant_type: 'authorization_code', code: MASKED, code_verifier: MASKED, client_secret: MASKED, redirect_uri: 'http://x' });
    expect(recordedBody({ access_token: 'a', refresh_token: 'r', patient: { idPe: 'X', code: 'kept' } }, 'oauth')).toEqual({
      access_token: MASKED,
      refresh_token: MASKED,
      patient: { idPe: 'X', code: 'kept' },
    });
    // a FHIR code is data, not a secret
    expect(recordedBody({ code: { coding: [{ code: '29463-7' }] } }, 'fhir')).toEqual({ code: { coding: [{ code: '29463-7' }] } });
  });
  it('shows a NUL, which the database refuses in JSON, as U+2400', () => {
    expect(recordedBody({ 'a\u0000': ['b\u0000c'] }, 'fhir')).toEqual({ 'a\u2400': ['b\u2400c'] });
  });
});

describe('pairing', () => {
  it('passes on a code exchanged, then a refresh', () => {
    expect(judged('appariement', [token('authorization_code', 200), token('refresh_token', 200)])).toBe('passed');
  });
  it('fails on codes never exchanged, or on a refresh token presented twice', () => {
    expect(judged('appariement', [token('authorization_code', 400, { error: 'invalid_grant' })])).toBe('failed');
    const reuse = () => token('refresh_token', 400, { error: 'invalid_grant', error_description: 'the refresh token was already used: its family is revoked' });
    expect(judged('appariement', [token('authorization_code', 200), token('refresh_token', 200), reuse()])).toBe('failed');
  });
  it('is not exercised without a refresh, nor with a refresh before the pairing', () => {
    expect(judged('appariement', [])).toBe('not-exercised');
    expect(judged('appariement', [token('refresh_token', 200), token('authorization_code', 200)])).toBe('not-exercised');
  });
});

describe('consent withdrawn', () => {
  const withdraw = () => x('POST', '/mes-applications', 200, { patient: 'p', client_id: 'app' }, undefined, { idPe: 'IDPE-1' });
  const call = (status: number) => x('POST', '/', status, {}, outcome('no consent'), { idPe: 'IDPE-1' });
  it(`passes when the app stops after the 403 (at most ${CALLS_AFTER_WITHDRAWAL} calls in flight)`, () => {
    expect(judged('retrait-consentement', [withdraw(), call(403)])).toBe('passed');
    expect(judged('retrait-consentement', [withdraw(), ...Array.from({ length: CALLS_AFTER_WITHDRAWAL + 1 }, () => call(403))])).toBe('passed');
  });
  it('fails on a retry storm, counting refused renewals', () => {
    const storm = [withdraw(), call(403), call(403), call(403), token('refresh_token', 400), token('refresh_token', 400)];
    expect(judged('retrait-consentement', storm)).toBe('failed');
  });
  it('is not exercised without a withdrawal or without a call after it; calls for another patient do not count', () => {
    expect(judged('retrait-consentement', [call(403)])).toBe('not-exercised');
    expect(judged('retrait-consentement', [withdraw(), x('GET', '/Observation', 403, undefined, outcome('x'), { idPe: 'IDPE-2' })])).toBe('not-exercised');
  });
});

describe('422 corrected', () => {
  it('passes when a payload of the same kind is accepted after the refusal', () => {
    expect(judged('correction-apres-422', [feeding(422, [weight], []), feeding(200, [weight, deviceEntry('a')], ['201 Created', '201 Created'])])).toBe(
      'passed',
    );
  });
  it('fails when only another kind was accepted, or the acceptance came before', () => {
    const other = { resource: { ...weight.resource, meta: { profile: ['p-height'] } } };
    expect(judged('correction-apres-422', [feeding(422, [weight], []), feeding(200, [other], ['201 Created'])])).toBe('failed');
    expect(judged('correction-apres-422', [feeding(200, [weight], ['201 Created']), feeding(422, [weight], [])])).toBe('failed');
  });
  it('is not exercised without a 422', () => {
    expect(judged('correction-apres-422', [feeding(200, [weight], ['201 Created'])])).toBe('not-exercised');
  });
  it('tells kinds apart by route, profile and code, ids of the path aside', () => {
    const put = (id: string) => x('PUT', `/Appointment/${id}`, 200, { resourceType: 'Appointment', meta: { profile: ['p-appt'] } });
    expect(payloadKind(put('a1'))).toBe(payloadKind(put('b2')));
    expect(payloadKind(feeding(200, [weight], []))).not.toBe(payloadKind(x('POST', '/DocumentReference', 201, weight.resource)));
  });
});

describe('paging', () => {
  const page = (url: string, next?: string) => x('GET', url, 200, undefined, searchset(next));
  it('passes when next links are followed to a page without one, parameters in any order', () => {
    expect(
      judged('pagination', [page('/Observation?code=1&_count=1', '/Observation?_count=1&code=1&_offset=1'), page('/Observation?code=1&_offset=1&_count=1')]),
    ).toBe('passed');
  });
  it('is not exercised when the last page is never reached, or a page was read before its link existed', () => {
    expect(
      judged('pagination', [page('/Observation?a=1', '/Observation?a=1&_offset=1'), page('/Observation?a=1&_offset=1', '/Observation?a=1&_offset=2')]),
    ).toBe('not-exercised');
    const early = page('/Observation?a=1&_offset=1');
    expect(judged('pagination', [early, page('/Observation?a=1', '/Observation?a=1&_offset=1')])).toBe('not-exercised');
  });
});

describe('the Device', () => {
  it('passes when created once, then known', () => {
    const xs = [
      feeding(200, [weight, deviceEntry('S1')], ['201 Created @Observation/o1/_history/1', '201 Created @Device/d1/_history/1']),
      feeding(200, [weight, deviceEntry('S1')], ['201 Created @Observation/o2/_history/1', '200 OK @Device/d1/_history/1']),
    ];
    expect(judged('appareil-reutilise', xs)).toBe('passed');
  });
  it('fails when the same device is created twice under one of its identifiers', () => {
    const twice = (value: string, id: string) => ({
      resource: {
        resourceType: 'Device',
        identifier: [
          { system: 'urn:oid:2.999.1', value },
          { system: 'eui-64', value: 'E1' },
        ],
      },
      id,
    });
    const xs = [
      feeding(200, [weight, twice('S1', 'd1')], ['201 Created @Observation/o1/_history/1', '201 Created @Device/d1/_history/1']),
      feeding(200, [weight, twice('S2', 'd2')], ['201 Created @Observation/o2/_history/1', '201 Created @Device/d2/_history/1']),
    ];
    const steps = scenario('appareil-reutilise').judge(xs);
    expect(scenarioStatus(steps)).toBe('failed');
    expect(steps[0]!.detail).toContain('eui-64|E1 a été créé deux fois (Device/d1 et Device/d2)');
  });
  it('is not exercised with two different devices, each created once', () => {
    const xs = [
      feeding(200, [weight, deviceEntry('S1')], ['201 Created @Observation/o1/_history/1', '201 Created @Device/d1/_history/1']),
      feeding(200, [weight, deviceEntry('S2')], ['201 Created @Observation/o2/_history/1', '201 Created @Device/d2/_history/1']),
    ];
    expect(judged('appareil-reutilise', xs)).toBe('not-exercised');
  });
});

describe('the BMI', () => {
  const bmiSearch = (entries: unknown[]) => x('GET', '/Observation?code=http://loinc.org|39156-5&_sort=-date', 200, undefined, searchset(undefined, entries));
  it('passes when read, fails when sent, is not exercised when searched without result', () => {
    expect(judged('mesure-bmi', [bmiSearch([{ resourceType: 'Observation' }])])).toBe('passed');
    const sent = feeding(422, [{ resource: { resourceType: 'Observation', code: { coding: [{ code: '39156-5' }] } } }], []);
    expect(judged('mesure-bmi', [sent, bmiSearch([{ resourceType: 'Observation' }])])).toBe('failed');
    expect(judged('mesure-bmi', [bmiSearch([])])).toBe('not-exercised');
  });
});

describe('documents and appointments', () => {
  const pdf = Buffer.from('%PDF');
  const published = recordedBody({ resourceType: 'DocumentReference', content: [{ attachment: { data: pdf.toString('base64') } }] }, 'fhir');
  const retrieval = (bytes: Buffer, status = 200) => ({ ...x('GET', '/Binary/b1', status), responseType: 'application/pdf', responseBody: digest(bytes) });
  it('proves ITI-68 by the SHA-256 of the bytes published, not by any retrieval', () => {
    expect(judged('document-iti68', [x('POST', '/DocumentReference', 201, published), retrieval(pdf)])).toBe('passed');
    expect(judged('document-iti68', [x('POST', '/DocumentReference', 201, published), retrieval(Buffer.from('other'))])).toBe('not-exercised');
    // a refused publication proves nothing
    expect(judged('document-iti68', [x('POST', '/DocumentReference', 422, published), retrieval(pdf)])).toBe('not-exercised');
    expect(judged('document-iti68', [retrieval(pdf, 404)])).toBe('failed');
  });
  it('needs the appointment updated and found to be the one the app created', () => {
    const created = x('POST', '/Appointment', 201, { resourceType: 'Appointment' }, { resourceType: 'Appointment', id: 'a1' });
    const found = x('GET', '/Appointment?patient.identifier=x', 200, undefined, searchset(undefined, [{ resourceType: 'Appointment', id: 'a1' }]));
    expect(judged('rendez-vous', [created, x('PUT', '/Appointment/a1', 200, {}, {}), found])).toBe('passed');
    expect(judged('rendez-vous', [created, x('PUT', '/Appointment/zz', 200, {}, {}), found])).toBe('not-exercised');
    expect(judged('rendez-vous', [created, x('PUT', '/Appointment/a1', 422, {}, outcome('bad')), found])).toBe('failed');
  });
});

describe('the report', () => {
  it('never throws, whatever was recorded, and its HTML and JUnit stay well-formed', () => {
    const anyBody = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.record({ resourceType: fc.constantFrom('Bundle', 'Observation'), entry: fc.jsonValue() }),
    );
    const exchange = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT'),
      url: fc.constantFrom('/', '/Observation?code=1', '/Binary/x', '/oauth/token', '/mes-applications', '/Appointment/a'),
      status: fc.constantFrom(200, 201, 400, 403, 422),
      requestBody: anyBody,
      responseBody: anyBody,
      idPe: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(exchange, { maxLength: 20 }), (raw) => {
        const xs = raw.map((r, i) => ({
          ...r,
          seq: i + 1,
          clientId: 'app',
          at: new Date(0).toISOString(),
          durationMs: 1,
          responseType: 'application/fhir+json',
        }));
        const report = gradeApp({ clientId: 'app\u0000<&>' }, xs as Exchange[], SCENARIOS);
        expect(report.summary.total).toBe(SCENARIOS.length);
        expect(reportJunit(report)).not.toMatch(/[\u0000-\u0008]/);
        expect(reportHtml(report)).toContain('app&#60;&#38;&#62;');
      }),
      { numRuns: 200 },
    );
  });
  it('counts a scenario whose judge throws as failed, and goes on', () => {
    const broken: Scenario = {
      id: 'x',
      api: 'Test',
      title: 't',
      expectation: 'e',
      judge: () => {
        throw new Error('boom');
      },
    };
    const report = gradeApp({ clientId: 'app' }, [], [broken, scenario('pagination')]);
    expect(report.scenarios.map((s) => s.status)).toEqual(['failed', 'not-exercised']);
    expect(report.scenarios[0]!.steps[0]!.detail).toContain('boom');
  });
});
