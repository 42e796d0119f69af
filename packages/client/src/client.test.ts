import { describe, expect, it } from 'vitest';
import { MesClient } from './client.js';
import { MesApiError } from './errors.js';
import { idOf, retryAfterMs } from './http.js';
import { finishPairing, memoryStore } from './pairing.js';
import { clientCredentials, type TokenSource } from './tokens.js';

const BASE = 'https://mes.example/fhir';
const PATIENT = { oid: '2.999.1.2.3', idPe: 'IDPE-1' };

/** A token source that counts its tokens. */
function countingTokens(): TokenSource & { issued: number } {
  let current: string | undefined;
  const source = {
    issued: 0,
    token: async () => (current ??= `token-${++source.issued}`),
    invalidate: () => (current = undefined),
  };
  return source;
}

type Reply = Response | Error | ((init: RequestInit) => Promise<Response>);
/** A fetch that answers from a script, one reply per call, and records the calls. */
function scripted(...replies: Reply[]) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = (async (url: string | URL, init: RequestInit = {}) => {
    calls.push({ url: String(url), init });
    const reply = replies.shift();
    if (!reply) throw new Error(`unexpected call ${String(url)}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(init) : reply;
  }) as typeof fetch;
  return { fetchFn, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/fhir+json', ...headers } });
const outcome = (diagnostics: string, id?: string) => ({
  resourceType: 'OperationOutcome',
  issue: [
    {
      severity: 'error',
      code: 'business-rule',
      diagnostics,
      ...(id ? { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id', valueString: id }] } : {}),
    },
  ],
});
const client = (fetchFn: typeof fetch, tokens: TokenSource = countingTokens()) =>
  new MesClient({ baseUrl: BASE, tokens, fetch: fetchFn, retryDelayMs: 1, timeoutMs: 2000 });
const failure = async (call: Promise<unknown>): Promise<MesApiError> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MesApiError);
  return error as MesApiError;
};

describe('errors', () => {
  it('names the MES rule of a 422 from its words, or from the message id the sandbox gives', async () => {
    const words = scripted(json(422, outcome('Bmi observation cannot be created')));
    const e = await failure(client(words.fetchFn).request('POST', '', { body: {} }));
    expect([e.code, e.status, e.message]).toEqual(['mes-bmi-not-creatable', 422, 'HTTP 422: Bmi observation cannot be created']);
    expect(e.outcome?.issue[0]?.diagnostics).toBe('Bmi observation cannot be created');
    // the words followed by a detail, and the sandbox's id
    const detailed = scripted(json(422, outcome('Observation.extension.moment is mandatory (entry 0)')));
    expect((await failure(client(detailed.fetchFn).request('POST', '', { body: {} }))).code).toBe('mes-moment-mandatory');
    const byId = scripted(json(422, outcome('something else', 'mes-device-not-linked')));
    expect((await failure(client(byId.fetchFn).request('POST', '', { body: {} }))).code).toBe('mes-device-not-linked');
  });

  it('falls back on the status when no rule is named', async () => {
    for (const [status, code] of [
      [422, 'unprocessable'],
      [403, 'forbidden'],
      [404, 'not-found'],
      [409, 'conflict'],
      [500, 'server-error'],
      [418, 'bad-request'],
    ] as const) {
      const s = scripted(json(status, outcome('no rule of MES says this')));
      expect((await failure(client(s.fetchFn).request('POST', 'x', { body: {} }))).code, String(status)).toBe(code);
    }
  });
});

describe('retries', () => {
  it('repeats a GET after 503 and 429, waiting what Retry-After asks', async () => {
    const s = scripted(json(503, outcome('busy'), { 'retry-after': '0' }), json(429, outcome('slow down')), json(200, { resourceType: 'Bundle' }));
    const answer = await client(s.fetchFn).request('GET', 'Observation?code=1');
    expect(answer.status).toBe(200);
    expect(s.calls).toHaveLength(3);
  });

  it('does not repeat a POST (it may have created something) unless it is idempotent', async () => {
    const s = scripted(json(503, outcome('busy')));
    const e = await failure(client(s.fetchFn).request('POST', '', { body: {} }));
    expect([e.code, s.calls.length]).toEqual(['unavailable', 1]);
    const idempotent = scripted(json(503, outcome('busy')), json(201, {}));
    expect((await client(idempotent.fetchFn).request('POST', '', { body: {}, idempotent: true })).status).toBe(201);
  });

  it('repeats a GET after a network error, three times at most', async () => {
    const s = scripted(new TypeError('fetch failed'), new TypeError('fetch failed'), new TypeError('fetch failed'), new TypeError('fetch failed'));
    const e = await failure(client(s.fetchFn).request('GET', 'Observation'));
    expect([e.code, e.status, s.calls.length]).toEqual(['network', 0, 4]);
  });

  it('takes a new token once after a 401, then reports invalid-token', async () => {
    const tokens = countingTokens();
    const s = scripted(json(401, outcome('expired')), json(200, {}));
    await client(s.fetchFn, tokens).request('POST', '', { body: {} });
    expect(s.calls.map((c) => (c.init.headers as Record<string, string>).authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    const refused = scripted(json(401, outcome('expired')), json(401, outcome('still')));
    expect((await failure(client(refused.fetchFn, tokens).request('GET', 'x'))).code).toBe('invalid-token');
  });

  it('Retry-After: seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('time limits and cancellation', () => {
  // as fetch does: refuses an aborted signal at once, else waits for the abort
  const hanging = (init: RequestInit) =>
    new Promise<Response>((_done, fail) => {
      if (init.signal?.aborted) return fail(init.signal.reason);
      init.signal?.addEventListener('abort', () => fail(init.signal?.reason), { once: true });
    });

  it('gives up an attempt after timeoutMs', async () => {
    const s = scripted(hanging);
    const c = new MesClient({ baseUrl: BASE, tokens: countingTokens(), fetch: s.fetchFn, timeoutMs: 30, retries: 0 });
    expect((await failure(c.request('GET', 'Observation'))).code).toBe('timeout');
  });

  it("stops at the caller's AbortSignal, in a call or in the wait before a retry", async () => {
    const controller = new AbortController();
    const s = scripted(hanging);
    const call = client(s.fetchFn).request('GET', 'Observation', { signal: controller.signal });
    controller.abort();
    expect((await failure(call)).code).toBe('aborted');
    const waiting = new AbortController();
    const w = scripted(json(503, outcome('busy'), { 'retry-after': '60' }));
    const retried = client(w.fetchFn).request('GET', 'Observation', { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 20);
    expect((await failure(retried)).code).toBe('aborted');
  });
});

describe('searches', () => {
  const page = (ids: string[], next?: string) =>
    json(200, {
      resourceType: 'Bundle',
      type: 'searchset',
      link: next ? [{ relation: 'next', url: next }] : [],
      entry: [
        ...ids.map((id) => ({ resource: { resourceType: 'Observation', id }, search: { mode: 'match' } })),
        { resource: { resourceType: 'Device', id: 'd' }, search: { mode: 'include' } },
      ],
    });

  it('follows next links to the end, yielding the matches only, a page fetched when needed', async () => {
    const s = scripted(page(['a', 'b'], `${BASE}/Observation?_offset=1`), page(['c']));
    const seen: string[] = [];
    for await (const o of client(s.fetchFn).measures.search({ patient: PATIENT, code: '29463-7', count: 2, includeDevice: true })) {
      seen.push(o.id!);
      if (o.id === 'a') expect(s.calls).toHaveLength(1);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    const first = new URL(s.calls[0]!.url);
    expect(first.searchParams.get('subject.identifier')).toBe('urn:oid:2.999.1.2.3|IDPE-1');
    expect([first.searchParams.get('_sort'), first.searchParams.get('_count'), first.searchParams.get('_include')]).toEqual([
      '-date',
      '2',
      'Observation:device',
    ]);
  });

  it('asks a period with both bounds, and stops on a page that links back', async () => {
    const s = scripted(page(['a'], `${BASE}/Observation?p=1`), page(['b'], `${BASE}/Observation?p=1`));
    const c = client(s.fetchFn);
    const seen: string[] = [];
    const e = await failure(
      (async () => {
        for await (const o of c.measures.search({ patient: PATIENT, code: '2345-7', from: '2026-01-01', to: '2026-02-01' })) seen.push(o.id!);
      })(),
    );
    expect([e.code, seen]).toEqual(['server-error', ['a', 'b']]);
    expect(new URL(s.calls[0]!.url).searchParams.getAll('date')).toEqual(['ge2026-01-01', 'le2026-02-01']);
    expect(() => c.measures.search({ patient: PATIENT, code: '2345-7', from: '2026-01-01' })).toThrow(/both bounds/);
  });
});

describe('where the token goes', () => {
  it("follows an absolute url (a next link, an attachment) only on the API's origin", async () => {
    const s = scripted(json(200, { resourceType: 'Binary', contentType: 'text/plain', data: 'eA==' }));
    const c = client(s.fetchFn);
    expect((await c.request('GET', `${BASE}/Binary/1`)).status).toBe(200);
    for (const elsewhere of ['https://evil.example/fhir/Binary/1', 'http://mes.example/fhir/Binary/1', 'https://mes.example:8443/x', 'file:///etc/passwd']) {
      const e = await failure(c.request('GET', elsewhere));
      expect([e.code, s.calls.length], elsewhere).toEqual(['bad-request', 1]);
      expect(e.message).toMatch(/is not the origin of the API \(https:\/\/mes\.example\): the token is not sent there/);
    }
    expect(() => new MesClient({ baseUrl: 'mes.example/fhir', tokens: countingTokens() })).toThrow('baseUrl "mes.example/fhir" is not an absolute URL');
    const doc = { resourceType: 'DocumentReference', content: [{ attachment: { url: 'https://evil.example/Binary/1' } }] } as const;
    expect((await failure(c.documents.retrieve(doc as never))).code).toBe('bad-request');
  });
});

describe('tokens', () => {
  it('client credentials: one request for concurrent calls, a new token once it expires', async () => {
    let n = 0;
    const s = scripted(
      () => Promise.resolve(json(200, { access_token: `t${++n}`, expires_in: 1 })),
      () => Promise.resolve(json(200, { access_token: `t${++n}`, expires_in: 3600 })),
    );
    const tokens = clientCredentials({ tokenUrl: `${BASE}/oauth/token`, clientId: 'app', clientSecret: 's3cret', fetch: s.fetchFn, renewBeforeSeconds: 0 });
    expect(await Promise.all([tokens.token(), tokens.token()])).toEqual(['t1', 't1']);
    expect(String(s.calls[0]!.init.body)).toBe('grant_type=client_credentials&client_id=app&client_secret=s3cret');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await tokens.token()).toBe('t2');
    expect(s.calls).toHaveLength(2);
  });

  it("a caller's abort stops its wait for a token, not the token request others share", async () => {
    let answer!: (r: Response) => void;
    const s = scripted(() => new Promise<Response>((done) => (answer = done)), json(200, {}));
    const tokens = clientCredentials({ tokenUrl: `${BASE}/oauth/token`, clientId: 'app', clientSecret: 's', fetch: s.fetchFn });
    const c = new MesClient({ baseUrl: BASE, tokens, fetch: s.fetchFn, retries: 0 });
    const controller = new AbortController();
    const aborted = c.request('GET', 'Observation', { signal: controller.signal });
    const other = tokens.token();
    controller.abort();
    expect((await failure(aborted)).code).toBe('aborted');
    answer(json(200, { access_token: 'shared', expires_in: 3600 }));
    expect(await other).toBe('shared');
  });

  it("a pairing's tokens refresh themselves when they expire, the rotated refresh token saved to the store", async () => {
    const answer = (n: number) =>
      json(200, { access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 1, scope: 'mesures.read', patient: { oid: '2.9', idPe: 'P' } });
    const s = scripted(answer(1), answer(2));
    const store = memoryStore();
    const begun = { state: 'st', codeVerifier: 'v'.repeat(43) };
    const paired = await finishPairing({
      tokenUrl: `${BASE}/oauth/token`,
      clientId: 'app',
      clientSecret: 's',
      redirectUri: 'https://app.example/cb',
      ...begun,
      callbackUrl: 'https://app.example/cb?code=c&state=st',
      fetch: s.fetchFn,
      store,
    });
    expect([await paired.token(), await store.load()]).toEqual(['a1', 'r1']);
    await new Promise((r) => setTimeout(r, 600));
    expect([await paired.token(), await store.load(), paired.refreshToken()]).toEqual(['a2', 'r2', 'r2']);
    expect(String(s.calls[1]!.init.body)).toBe('grant_type=refresh_token&refresh_token=r1&client_id=app&client_secret=s');
  });

  it('a refused client is an invalid-token error with the OAuth words', async () => {
    const s = scripted(json(401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' }));
    const e = await failure(clientCredentials({ tokenUrl: `${BASE}/oauth/token`, clientId: 'x', clientSecret: 'y', fetch: s.fetchFn }).token());
    expect([e.code, e.message]).toEqual(['invalid-token', 'HTTP 401: invalid_client: unknown client or wrong secret']);
  });
});

describe('idOf', () => {
  it.each([
    ['Observation/abc/_history/1', 'abc'],
    ['https://mes.example/fhir/Device/d-1/_history/2', 'd-1'],
    ['Appointment/xyz', 'xyz'],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (location, id) => expect(idOf(location)).toBe(id));
});
