/**
 * `--record`: every answered request of an app, with the sandbox's answer, kept in the database
 * (table exchanges) for the report. Written before the answer leaves, so that a call made after
 * another's answer is always recorded after it; bounded per app (the oldest go first) and per body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../database.js';
import { bundleSkeleton, digest, recordedBody, type Exchange } from './exchange.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The app (and pairing) a request is recorded for; set once the app is known. */
    recordAs?: { clientId: string; idPe?: string };
  }
}

export interface RecordingOptions {
  /** Exchanges kept per app; past it, the oldest are deleted (default 10,000). */
  maxExchangesPerApp?: number;
  /** Largest body kept, as recorded JSON; a larger one keeps its size and SHA-256, a Bundle its skeleton too (default 64 KiB). */
  maxBodyBytes?: number;
}

/** How often (in inserts per app) the oldest rows past the bound are deleted: a bounded overshoot, one DELETE per batch. */
const PRUNE_EVERY = 64;

export class Recorder {
  private readonly maxExchanges: number;
  private readonly maxBody: number;
  private readonly inserts = new Map<string, number>();
  private warned = false;
  private recording = false;
  /** When each request arrived (performance.now()), for its duration. */
  private readonly arrivals = new WeakMap<FastifyRequest, number>();

  constructor(
    private readonly db: Queryable,
    options: RecordingOptions = {},
  ) {
    this.maxExchanges = options.maxExchangesPerApp ?? 10_000;
    this.maxBody = options.maxBodyBytes ?? 64 * 1024;
  }

  /** Records every answer to a request that has `recordAs`, once started. */
  attach(server: FastifyInstance): void {
    server.addHook('onRequest', async (req) => {
      if (this.recording) this.arrivals.set(req, performance.now());
    });
    server.addHook('onSend', async (req, reply, payload) => {
      if (req.recordAs && this.recording) await this.record(req, reply, payload);
      return payload;
    });
  }

  /** From now on, exchanges are kept (the sandbox's own seed requests, before, are not). */
  start(): void {
    this.recording = true;
  }

  /** Whether exchanges are kept yet. */
  get started(): boolean {
    return this.recording;
  }

  private async record(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const kind = req.url.startsWith('/oauth/') ? 'oauth' : 'fhir';
    const type = String(reply.getHeader('content-type') ?? '')
      .split(';')[0]!
      .trim();
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
    let response: string | null = null;
    if (bytes && /[/+]json$/.test(type)) {
      try {
        response = this.stored(JSON.parse(bytes.toString('utf8')), kind);
      } catch {
        response = JSON.stringify(digest(bytes));
      }
    } else if (bytes) response = JSON.stringify(digest(bytes));
    const elapsed = performance.now() - (this.arrivals.get(req) ?? performance.now());
    try {
      await this.db.query(
        `INSERT INTO exchanges (client_id, id_pe, at, method, url, status, duration_ms, request_body, response_type, response_body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb)`,
        [
          req.recordAs!.clientId,
          req.recordAs!.idPe ?? null,
          new Date(Date.now() - elapsed).toISOString(),
          req.method,
          // a URL with a control character never gets here: refused before authentication
          req.url,
          reply.statusCode,
          Math.round(elapsed),
          req.body === undefined ? null : this.stored(req.body, kind),
          type || null,
          response,
        ],
      );
      await this.prune(req.recordAs!.clientId);
    } catch (e) {
      // the record serves the report; it never costs the app its answer
      if (!this.warned) process.stderr.write(`mes-fhir sandbox: an exchange could not be recorded: ${(e as Error).message}\n`);
      this.warned = true;
    }
  }

  /** The JSON text kept of a body: redacted; past the bound, its digest (and a Bundle's skeleton, if that fits). */
  private stored(body: unknown, kind: 'fhir' | 'oauth'): string {
    const redacted = recordedBody(body, kind);
    const text = JSON.stringify(redacted);
    if (text.length <= this.maxBody) return text;
    const skeleton = bundleSkeleton(redacted);
    const kept = skeleton && JSON.stringify(skeleton).length <= this.maxBody ? (skeleton as object) : {};
    return JSON.stringify({ ...kept, ...digest(Buffer.from(text)), omitted: true });
  }

  private async prune(clientId: string): Promise<void> {
    const n = (this.inserts.get(clientId) ?? 0) + 1;
    this.inserts.set(clientId, n);
    if (n % PRUNE_EVERY !== 0) return;
    await this.db.query(
      'DELETE FROM exchanges WHERE client_id = $1 AND seq <= (SELECT seq FROM exchanges WHERE client_id = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)',
      [clientId, this.maxExchanges],
    );
  }
}

interface Row {
  seq: string | number;
  client_id: string;
  id_pe: string | null;
  at: Date | string;
  method: string;
  url: string;
  status: number;
  duration_ms: number;
  request_body: unknown;
  response_type: string | null;
  response_body: unknown;
}

const parsed = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

/** The recorded exchanges of an app, in order. */
export async function recordedExchanges(db: Queryable, clientId: string): Promise<Exchange[]> {
  const { rows } = await db.query<Row>('SELECT * FROM exchanges WHERE client_id = $1 ORDER BY seq', [clientId]);
  return rows.map((r) => ({
    seq: Number(r.seq),
    clientId: r.client_id,
    ...(r.id_pe ? { idPe: r.id_pe } : {}),
    at: new Date(r.at).toISOString(),
    method: r.method,
    url: r.url,
    status: Number(r.status),
    durationMs: Number(r.duration_ms),
    ...(r.request_body !== null ? { requestBody: parsed(r.request_body) } : {}),
    ...(r.response_type ? { responseType: r.response_type } : {}),
    ...(r.response_body !== null ? { responseBody: parsed(r.response_body) } : {}),
  }));
}

/** The apps that have recorded exchanges. */
export async function recordedApps(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ client_id: string }>('SELECT DISTINCT client_id FROM exchanges ORDER BY client_id');
  return rows.map((r) => r.client_id);
}
