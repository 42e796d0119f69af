/**
 * One call to an MES API: the bearer token, FHIR JSON in and out, a time limit, the caller's
 * AbortSignal, and retries where repeating is safe. Every failure becomes a MesApiError.
 */
import { MesApiError } from './errors.js';
import type { TokenSource } from './tokens.js';

export interface HttpOptions {
  /** The FHIR base of the APIs (the sandbox's is its root url). */
  baseUrl: string;
  tokens: TokenSource;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Time limit of one attempt, in ms (default 30,000). */
  timeoutMs?: number;
  /** Attempts after the first, for the calls safe to repeat (default 3). */
  retries?: number;
  /** The first wait before a retry, in ms, doubled at each (default 250); Retry-After wins when given. */
  retryDelayMs?: number;
  /** The longest wait before a retry, in ms (default 10,000). */
  maxRetryDelayMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Statuses that say "later": the same request may then succeed. */
const TRANSIENT = new Set([429, 502, 503, 504]);
/** Methods whose repetition changes nothing more than one call (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

export class Http {
  private readonly fetchFn: typeof fetch;

  /** The only origin the token is sent to. */
  private readonly origin: string;

  constructor(readonly options: HttpOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    if (!URL.canParse(options.baseUrl)) throw new MesApiError('bad-request', `baseUrl "${options.baseUrl}" is not an absolute URL`, 0);
    this.origin = new URL(options.baseUrl).origin;
  }

  /**
   * The absolute url of a path of the API. An absolute url (a Bundle's `next` link, an attachment's
   * url) is followed only on the API's own origin: the bearer token goes nowhere else.
   */
  url(path: string): string {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(path)) return `${this.options.baseUrl.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
    const target = new URL(path);
    if (target.origin !== this.origin)
      throw new MesApiError('bad-request', `${target.origin} is not the origin of the API (${this.origin}): the token is not sent there`, 0);
    return target.href;
  }

  /**
   * Calls the API; the answer's JSON on success. A POST is not repeated unless `idempotent` says
   * so (a conditional create, for instance); every call is repeated once after a 401 with a new token.
   */
  async request<T>(method: string, path: string, options: CallOptions & { body?: unknown; idempotent?: boolean } = {}): Promise<Answer<T>> {
    const retries = IDEMPOTENT.has(method) || options.idempotent ? (this.options.retries ?? 3) : 0;
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.once(method, path, options);
      } catch (e) {
        const error = e as MesApiError;
        if (error.code === 'network' && attempt < retries) {
          await this.wait(attempt, undefined, options.signal);
          continue;
        }
        throw error;
      }
      if (res.status === 401 && !renewed) {
        renewed = true;
        this.options.tokens.invalidate();
        attempt--;
        continue;
      }
      const body: unknown = res.status === 204 ? undefined : await readJson(res);
      if (res.ok) return { status: res.status, headers: res.headers, body: body as T };
      if (TRANSIENT.has(res.status) && attempt < retries) {
        await this.wait(attempt, res.headers.get('retry-after'), options.signal);
        continue;
      }
      throw MesApiError.fromResponse(res.status, body);
    }
  }

  /** One attempt, under the time limit and the caller's signal. */
  private async once(method: string, path: string, options: CallOptions & { body?: unknown }): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const token = await untilAborted(this.options.tokens.token(signal), signal);
      return await this.fetchFn(this.url(path), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/fhir+json',
          ...(options.body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal,
      });
    } catch (e) {
      if (e instanceof MesApiError) throw e;
      if (options.signal?.aborted) throw new MesApiError('aborted', `${method} ${path}: aborted by the caller`, 0, undefined, { cause: e });
      if (timeout.aborted)
        throw new MesApiError('timeout', `${method} ${path}: no answer within ${this.options.timeoutMs ?? 30_000} ms`, 0, undefined, { cause: e });
      throw new MesApiError('network', `${method} ${path}: ${(e as Error).message}`, 0, undefined, { cause: e });
    }
  }

  /** Waits before retry `attempt` (0-based): Retry-After when the answer gave one, else backoff; the caller's signal ends it. */
  private wait(attempt: number, retryAfter: string | null | undefined, signal?: AbortSignal): Promise<void> {
    const max = this.options.maxRetryDelayMs ?? 10_000;
    const asked = retryAfterMs(retryAfter);
    const ms = Math.min(max, asked ?? (this.options.retryDelayMs ?? 250) * 2 ** attempt);
    return new Promise((done, fail) => {
      if (signal?.aborted) return fail(new MesApiError('aborted', 'aborted by the caller', 0));
      const timer = setTimeout(done, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          fail(new MesApiError('aborted', 'aborted by the caller', 0));
        },
        { once: true },
      );
    });
  }
}

/** The promise's value, unless the signal aborts first (a token request shared by other calls goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((done, fail) => {
    const stop = () => fail(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', stop);
        done(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        fail(e);
      },
    );
  });
}

/** The id in a location (`[base/]Observation/<id>[/_history/<version>]`). */
export function idOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const parts = location.split('/');
  const history = parts.lastIndexOf('_history');
  return (history > 0 ? parts[history - 1] : parts.at(-1)) || undefined;
}

/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
