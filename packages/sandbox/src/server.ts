import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Validator } from '@mes-fhir/validator';
import { DEMO_APP, type Caller, type SandboxApp } from './apps.js';
import { openDatabase, type Database } from './database.js';
import { forbiddenControlCharacter, isObject, toOperationOutcome, type Json } from '@mes-fhir/core';
import { FhirError } from './fhir.js';
import { AuthorizationServer, FORM_BODY_LIMIT, requireScope, scopeFor, transactionScope } from './oauth.js';
import { TokenService } from './tokens.js';
import { readVisible } from './access.js';
import { store } from './store.js';
import { applyPairings, markSeeded, seedRequests, type SandboxConfig, type SeedRequest } from './seed.js';
import { capabilityStatement } from './capability.js';
import { APIS, type ApiContext } from './apis/index.js';
import { asSeenBy } from './search.js';
import { inProcess, type Validation } from './validation.js';
import { LARGE_BODY_BYTES, ValidationWorkers, type ValidationWorkersOptions } from './validation-workers.js';
import { Recorder, type RecordingOptions } from './grading/recorder.js';
import { appReport } from './grading/report.js';
import { reportHtml } from './grading/report-html.js';
import { reportJunit } from './grading/report-junit.js';

export interface SandboxOptions {
  /** Loaded validator (its definitions give the profiles and the CapabilityStatement; it validates requests unless `validationWorkers` is given). */
  validator: Validator;
  /**
   * Validate request bodies in worker threads, each loading the same definitions: a costly body
   * then never delays the answers to other clients (`mes-fhir sandbox` always does). A request
   * whose body passes 1 MiB is handled there whole, parse and storage included.
   */
  validationWorkers?: ValidationWorkersOptions;
  /** `postgres://…` for a PostgreSQL server, else the folder of the embedded PGlite database. */
  database: string;
  /** Registered test apps and fixed pairings (default: the demo app, no pairing). */
  config?: SandboxConfig;
  /** Folder of FHIR files loaded at start (see seed.ts); each file once per database. */
  seed?: string;
  /** Called for each seed file loaded (progress output). */
  onSeed?: (file: string) => void;
  port?: number;
  host?: string;
  /** Lifetime of the bearer tokens, in seconds (default 3600). */
  tokenLifetime?: number;
  /** Largest accepted request body, in bytes (default 10 MiB: documents travel inline). */
  bodyLimit?: number;
  version?: string;
  /**
   * Keep every exchange of each app (its request and the answer, secrets masked, document bytes
   * hashed) for its report of MES's test scenarios: `GET /recette/<clientId>`, or `mes-fhir sandbox report`.
   */
  record?: boolean | RecordingOptions;
}

export interface Sandbox {
  server: FastifyInstance;
  db: Database;
  /** `http://host:port` the server listens on. */
  url: string;
  apps: SandboxApp[];
  /** Seed files loaded by this start (those of earlier starts are skipped). */
  seeded: string[];
  close(): Promise<void>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** The grants of the token endpoint: MES's pairing (authorization code, refresh) and the sandbox's shortcut for tests. */
const GRANT_TYPES = new Set(['client_credentials', 'authorization_code', 'refresh_token']);
const MAX_JSON_DEPTH = 100;

declare module 'fastify' {
  interface FastifyRequest {
    app?: Caller;
  }
}

/** Opens the database, builds the routes and listens. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const db = await openDatabase(options.database);
  let workers: ValidationWorkers | undefined;
  try {
    const config = options.config ?? { apps: [DEMO_APP], pairings: [] };
    await applyPairings(db, config);
    const tokens = await TokenService.open(db, config.apps, options.tokenLifetime ?? 3600);
    workers = options.validationWorkers
      ? await ValidationWorkers.start(options.validationWorkers, {
          database: db,
          apps: config.apps,
          tokenLifetime: tokens.lifetimeSeconds,
          bodyLimit: options.bodyLimit,
          version: options.version,
          record: options.record,
        })
      : undefined;
    const requests = options.seed ? await seedRequests(db, options.seed, config.apps) : [];
    // seeds go through the routes but are the sandbox's, not the app's: recording starts after them
    const recorder = options.record ? new Recorder(db, options.record === true ? {} : options.record) : undefined;
    const server = await buildServer(db, options.validator, tokens, { ...options, recorder }, workers ?? inProcess(options.validator));
    const url = (await server.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' })).replace('[::1]', 'localhost');
    const seeded: string[] = [];
    try {
      for (const r of requests) {
        await loadSeed(
          url,
          tokens,
          config.apps.find((a) => a.clientId === r.clientId)!,
          r,
        );
        await markSeeded(db, r);
        seeded.push(r.file);
        options.onSeed?.(r.file);
      }
    } catch (e) {
      await server.close();
      throw e;
    }
    recorder?.start();
    return {
      server,
      db,
      url,
      apps: config.apps,
      seeded,
      async close() {
        await server.close();
        await workers?.close();
        await db.close();
      },
    };
  } catch (e) {
    await workers?.close();
    await db.close().catch(() => undefined);
    throw e;
  }
}

/** Sends a seed through the routes, as the app would (same checks); a refusal stops the start. */
async function loadSeed(url: string, tokens: TokenService, app: SandboxApp, r: SeedRequest): Promise<void> {
  const { access_token } = await tokens.issue(app);
  const res = await fetch(`${url}${r.path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(r.body),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { issue?: Array<{ diagnostics?: string; expression?: string[] }> } | undefined;
    const why = body?.issue?.map((i) => `${i.expression?.[0] ? `${i.expression[0]}: ` : ''}${i.diagnostics}`).join('\n  ') ?? res.statusText;
    throw new Error(`seed ${r.file} refused (HTTP ${res.status}):\n  ${why}`);
  }
}

/** UTF-8 bytes as text, or undefined when they are not valid UTF-8 (never silently replaced by U+FFFD). */
function utf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The client id and secret of a Basic Authorization header (RFC 6749 § 2.3.1: each url-encoded),
 * undefined when there is none, null when it is malformed.
 */
function basicCredentials(header: string | undefined): [string, string] | undefined | null {
  const encoded = /^basic +(\S+) *$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const text = utf8(Buffer.from(encoded, 'base64'));
  const colon = text?.indexOf(':') ?? -1;
  if (text === undefined || colon < 0) return null;
  try {
    return [decodeURIComponent(text.slice(0, colon)), decodeURIComponent(text.slice(colon + 1))];
  } catch {
    return null;
  }
}

/** Nesting depth of parsed JSON, stopping as soon as it passes `limit`. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (typeof v === 'object' && v !== null)
      for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** A JSON body over LARGE_BODY_BYTES, left unparsed: a request thread handles its request whole. */
class LargeBody {
  constructor(readonly bytes: Uint8Array) {}
}

/** The routes of the sandbox on a Fastify instance (not listening yet). */
export async function buildServer(
  db: Database,
  validator: Validator,
  tokens: TokenService,
  options: Pick<SandboxOptions, 'bodyLimit' | 'version'> & { recorder?: Recorder } = {},
  validation: Validation = inProcess(validator),
): Promise<FastifyInstance> {
  const server = Fastify({
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    logger: false,
    // errors Fastify answers itself (a malformed URL…) are OperationOutcomes too
    frameworkErrors: (error, _req, reply) =>
      (reply as FastifyReply)
        .code(error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400)
        .type(FHIR_JSON)
        .send(toOperationOutcome([{ severity: 'error', code: 'invalid', location: '', message: `Malformed request: ${error.message}` }])),
    // so are the answers Node gives before a request exists (431 headers too large, 400 bad HTTP)
    clientErrorHandler: (error, socket) => {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const [status, message] =
        (error as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW' ? [431, 'The request headers are too large'] : [400, 'The request is not valid HTTP'];
      const body = JSON.stringify(toOperationOutcome([{ severity: 'error', code: 'invalid', location: '', message }]));
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\nContent-Type: ${FHIR_JSON}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
  });

  const threads = validation instanceof ValidationWorkers && validation.handlesRequests ? validation : undefined;
  const parseJson = (_req: FastifyRequest, raw: Buffer, done: (err: Error | null, value?: unknown) => void) => {
    // an ArrayBuffer of its own, so that the bytes move to the thread rather than being copied
    if (threads && raw.byteLength > LARGE_BODY_BYTES)
      return done(null, new LargeBody(raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : new Uint8Array(raw)));
    const body = utf8(raw);
    if (body === undefined) return done(FhirError.of(400, 'structure', 'The body is not valid UTF-8'));
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return done(FhirError.of(400, 'structure', `The body is not JSON: ${(e as Error).message}`));
    }
    if (deeperThan(value, MAX_JSON_DEPTH)) return done(FhirError.of(400, 'structure', `The body nests deeper than ${MAX_JSON_DEPTH} levels`));
    done(null, value);
  };
  server.removeAllContentTypeParsers();
  server.addContentTypeParser(['application/fhir+json', 'application/json'], { parseAs: 'buffer' }, parseJson);
  server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, raw, done) => {
    const body = utf8(raw as Buffer);
    if (body === undefined) return done(FhirError.of(400, 'structure', 'The body is not valid UTF-8'));
    done(null, Object.fromEntries(new URLSearchParams(body)));
  });

  // Ids and search values reach the database: one with a control character (a NUL the database
  // refuses: HTTP 500 before) or a malformed escape is refused at the edge.
  server.addHook('onRequest', async (req) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(req.url.replace(/\+/g, ' '));
    } catch {
      throw FhirError.of(400, 'invalid', 'The URL has a malformed %-escape');
    }
    const control = forbiddenControlCharacter(decoded);
    if (control) throw FhirError.of(400, 'invalid', `The URL holds the control character ${control}`);
  });

  // A large body is handed over before anything reads it: the thread authenticates, parses,
  // validates, stores and records as the routes below would (it serves them too).
  server.addHook('preValidation', async (req, reply) => {
    if (!(req.body instanceof LargeBody)) return;
    const answer = await threads!.handle({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: req.body.bytes,
      record: options.recorder?.started ?? false,
    });
    reply.code(answer.status).headers(answer.headers);
    return reply.send(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength));
  });

  const base = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type(FHIR_JSON).send(body);

  server.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (error instanceof FhirError) {
      for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
      return send(reply, error.status, toOperationOutcome(error.issues));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return send(
        reply,
        413,
        toOperationOutcome([
          {
            severity: 'error',
            code: 'too-long',
            location: '',
            message: `The body exceeds ${req.routeOptions.bodyLimit ?? server.initialConfig.bodyLimit} bytes`,
          },
        ]),
      );
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return send(
        reply,
        415,
        toOperationOutcome([
          {
            severity: 'error',
            code: 'not-supported',
            location: '',
            message: 'Send application/fhir+json (or application/x-www-form-urlencoded to /oauth/token)',
          },
        ]),
      );
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
      return send(reply, error.statusCode, toOperationOutcome([{ severity: 'error', code: 'invalid', location: '', message: error.message }]));
    process.stderr.write(`mes-fhir sandbox: ${error.stack ?? error.message}\n`);
    return send(
      reply,
      500,
      toOperationOutcome([{ severity: 'fatal', code: 'exception', location: '', message: 'Internal error of the sandbox (see its console)' }]),
    );
  });
  server.setNotFoundHandler((req, reply) =>
    send(
      reply,
      404,
      toOperationOutcome([{ severity: 'error', code: 'not-supported', location: '', message: `No route for ${req.method} ${req.url.split('?')[0]}` }]),
    ),
  );

  options.recorder?.attach(server);

  /** Every FHIR call needs a valid bearer token (401 otherwise, with WWW-Authenticate as RFC 6750 says). */
  const authenticate = async (req: FastifyRequest) => {
    // the scheme is case-insensitive (RFC 7235)
    const token = /^bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
    const refuse = (why: string) =>
      new FhirError(401, [{ severity: 'error', code: 'login', location: '', message: why }], {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${why}"`,
      });
    if (!token) throw refuse('an access token is required (Authorization: Bearer <token>)');
    const checked = await tokens.verify(token);
    if ('error' in checked) throw refuse(checked.error);
    req.app = checked.app;
    req.recordAs = { clientId: req.app.clientId, ...(req.app.pairing ? { idPe: req.app.pairing.idPe } : {}) };
    requireScope(req.app, scopeFor(req.method, req.url));
  };
  const appOf = (req: FastifyRequest) => req.app!;

  const authorization = new AuthorizationServer(db, tokens, tokens.apps);
  /** The app a token or revocation request authenticates as: Basic credentials, else client_id and client_secret in the body. */
  const clientOf = (req: FastifyRequest, form: Record<string, string>): SandboxApp | 'malformed' | undefined => {
    const basic = basicCredentials(req.headers.authorization);
    if (basic === null) return 'malformed';
    const [id, secret] = basic ?? [form.client_id, form.client_secret];
    return id && secret ? tokens.authenticate(id, secret) : undefined;
  };
  const refuseClient = (reply: FastifyReply, client: 'malformed' | undefined) =>
    reply
      .code(401)
      .header('WWW-Authenticate', 'Basic realm="mes-fhir sandbox"')
      .send({
        error: 'invalid_client',
        error_description:
          client === 'malformed' ? 'malformed Basic credentials (base64 of url-encoded client_id:client_secret)' : 'unknown client or wrong secret',
      });

  server.post('/oauth/token', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const form = (isObject(req.body) ? req.body : {}) as Record<string, string>;
    const app = clientOf(req, form);
    if (app === 'malformed') return refuseClient(reply, app);
    if (app) req.recordAs = { clientId: app.clientId };
    if (!GRANT_TYPES.has(form.grant_type ?? ''))
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: `grant_type must be one of ${[...GRANT_TYPES].join(', ')}` });
    if (!app) return refuseClient(reply, app);
    if (form.grant_type === 'client_credentials') return reply.header('Cache-Control', 'no-store').send(await tokens.issue(app));
    const answer = await authorization.grant(app, form);
    const patient = answer.body.patient as { idPe?: string } | undefined;
    if (patient?.idPe) req.recordAs = { clientId: app.clientId, idPe: patient.idPe };
    return reply.code(answer.status).header('Cache-Control', 'no-store').send(answer.body);
  });

  // RFC 7009: the app revokes a refresh token (and its family); 200 whatever the token was
  server.post('/oauth/revoke', { bodyLimit: FORM_BODY_LIMIT }, async (req, reply) => {
    const form = (isObject(req.body) ? req.body : {}) as Record<string, string>;
    const app = clientOf(req, form);
    if (!app || app === 'malformed') return refuseClient(reply, app === 'malformed' ? app : undefined);
    req.recordAs = { clientId: app.clientId };
    if (typeof form.token === 'string') authorization.revoke(app, form.token);
    return reply.code(200).send();
  });
  authorization.register(server, base);

  // an app's report of MES's test scenarios, for whoever holds its credentials (a browser asks for them)
  server.get<{ Params: { clientId: string }; Querystring: { format?: string } }>('/recette/:clientId', async (req, reply) => {
    const app = clientOf(req, {});
    if (!app || app === 'malformed' || app.clientId !== req.params.clientId)
      return reply
        .code(401)
        .header('WWW-Authenticate', `Basic realm="Recette ${req.params.clientId.replace(/[^\w.-]/g, '_')}", charset="UTF-8"`)
        .type(FHIR_JSON)
        .send(toOperationOutcome([{ severity: 'error', code: 'login', location: '', message: "The report needs the app's client id and secret (Basic)" }]));
    if (!options.recorder) throw FhirError.of(404, 'not-found', 'The sandbox does not record exchanges: start it with --record');
    const format = req.query.format ?? 'html';
    if (!['html', 'json', 'junit'].includes(format)) throw FhirError.of(400, 'invalid', 'format is html, json or junit');
    const report = await appReport(db, validator, app);
    reply.header('Cache-Control', 'no-store');
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(report);
    if (format === 'junit') return reply.type('application/xml; charset=utf-8').send(reportJunit(report));
    return reply
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .send(reportHtml(report));
  });

  server.get('/metadata', async (req, reply) => send(reply, 200, capabilityStatement(validator, APIS, base(req), options.version ?? '0.1.0')));

  server.register(async (fhir) => {
    fhir.addHook('preHandler', authenticate);

    fhir.post('/pairing', async (req, reply) => {
      const body = (isObject(req.body) ? req.body : {}) as Json;
      const label = body.patient;
      if (typeof label !== 'string' || !/^[\p{L}\p{N} ._'-]{1,64}$/u.test(label))
        throw FhirError.of(400, 'invalid', 'Give {"patient": "<test patient name>"} (letters, digits, space . _ \' -, at most 64)');
      const app = appOf(req);
      const p = await store.pair(db, app.clientId, app.oid, label);
      return reply.code(p.created ? 201 : 200).send({
        patient: p.patient,
        oid: p.oid,
        idPe: p.idPe,
        identifier: { system: `urn:oid:${p.oid}`, value: p.idPe },
        searchValue: `urn:oid:${p.oid}|${p.idPe}`,
      });
    });
    fhir.get('/pairing', async (req) => ({
      pairings: (await store.pairings(db, appOf(req).clientId)).map((p) => ({ ...p, searchValue: `urn:oid:${p.oid}|${p.idPe}` })),
    }));

    const created: ApiContext['created'] = (reply, r, status, req) =>
      send(reply.header('Location', `${base(req)}/${r.type}/${r.id}/_history/${r.version}`).header('ETag', `W/"${r.version}"`), status, r.content);
    const read: ApiContext['read'] = (type, present = (r) => r) =>
      fhir.get<{ Params: { id: string } }>(`/${type}/:id`, async (req, reply) => {
        const r = await readVisible(db, appOf(req), type, req.params.id);
        const pairing = r.patientId ? await store.idPeOf(db, appOf(req).clientId, r.patientId) : undefined;
        return send(
          reply.header('ETag', `W/"${r.version}"`).header('Last-Modified', new Date(r.lastUpdated).toUTCString()),
          200,
          present(asSeenBy(r, pairing), req),
        );
      });
    const ctx: ApiContext = { db, validation, base, appOf, send, read, created };

    // POST [base]: a transaction Bundle, taken by the first API that claims it
    fhir.post('/', async (req, reply) => {
      const bundle = req.body;
      if (!isObject(bundle) || bundle.resourceType !== 'Bundle') throw FhirError.of(400, 'invalid', 'POST [base] takes a transaction Bundle');
      const api = APIS.find((a) => a.transaction?.claims(bundle));
      if (!api) throw FhirError.of(400, 'not-supported', 'No API of the sandbox takes this Bundle');
      requireScope(appOf(req), transactionScope(api.name));
      return send(reply, 200, await api.transaction!.accept(ctx, appOf(req), bundle, base(req)));
    });
    for (const api of APIS) api.routes(fhir, ctx);
  });

  await server.ready();
  return server;
}
