/**
 * Validation off the event loop: worker threads, each with its own loaded validator, take the
 * requests in turn, so that a costly body (a Bundle with 200,000 profiles) costs its own worker and
 * never the answers to other clients. Large bodies never take the last free worker: small ones
 * always have a thread, and one client sending large bodies in a loop delays only large bodies.
 * A request that runs past its time budget is answered 503 and its worker replaced (a thread
 * cannot be interrupted otherwise).
 *
 * A large body is more than its validation: decoding, parsing, storing and recording 10 MB cost
 * the event loop as much again (scripts/PERFORMANCE.md). Given the sandbox's database, each thread
 * also serves the sandbox's routes, and a request with a large body is handled there whole: the
 * event loop only moves its bytes.
 */
import { availableParallelism } from 'node:os';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Issue } from '@mes-fhir/core';
import type { ProjectIndexOptions } from '@mes-fhir/fhir-packages';
import type { SandboxApp } from './apps.js';
import type { Database, DatabaseHandle } from './database.js';
import type { RecordingOptions } from './grading/recorder.js';
import { FhirError } from './fhir.js';
import type { Validation } from './validation.js';

/** One thread per core but one (the event loop keeps a core), 2 to 4: two at least, so that small bodies keep one when a large one runs. */
export const DEFAULT_VALIDATION_WORKERS = Math.min(Math.max(availableParallelism() - 1, 2), 4);

/** A body whose serialized form passes this size (1 MiB) is large: it may not take the last free worker. */
export const LARGE_BODY_BYTES = 1024 * 1024;

export interface ValidationWorkersOptions {
  /** Threads (default: DEFAULT_VALIDATION_WORKERS; each holds a loaded validator, ~190 MB). */
  count?: number;
  /** Where the definitions come from, as for `Validator.load` (plain data: it is copied to each thread). */
  load: ProjectIndexOptions;
  /** Longest validation of one request, in ms (default 30 s). */
  budgetMs?: number;
}

/** What the threads need to serve the sandbox's routes (startSandbox gives it): the same database, apps and settings. */
export interface RequestHandling {
  database: Database;
  apps: SandboxApp[];
  tokenLifetime: number;
  bodyLimit?: number;
  version?: string;
  record?: boolean | RecordingOptions;
}

/** A request as the event loop received it, for a thread to handle whole. */
export interface WholeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  /** Whether the sandbox records exchanges yet (its seed requests are not recorded). */
  record: boolean;
}

/** The answer a thread gives to a whole request. */
export interface WholeResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Uint8Array;
}

/** What a thread is started with (validation-worker.ts). */
export interface ValidationWorkerData {
  load: ProjectIndexOptions;
  requests?: Omit<RequestHandling, 'database'> & { database: DatabaseHandle };
}

/** What a thread answers: a resource's issues, a whole request's response, or why it could not. */
export type ValidationWorkerReply = { id: number; issues?: Issue[]; response?: WholeResponse; error?: string };

interface Job {
  id: number;
  /** The resource as v8 serializes it, or the request's body: the size tells a large one, and the bytes move to the thread without a second copy. */
  bytes: Uint8Array;
  /** Over LARGE_BODY_BYTES (noted before the bytes move: a moved buffer reads as empty). */
  large: boolean;
  /** What the thread does with the bytes: validate them against a profile, or handle the request they are the body of. */
  work: { profile: string } | { request: Omit<WholeRequest, 'body'> };
  done(reply: ValidationWorkerReply): void;
  fail(error: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

export class ValidationWorkers implements Validation {
  private readonly queue: Job[] = [];
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly options: ValidationWorkersOptions,
    private readonly requests?: RequestHandling,
  ) {}

  /** Starts the threads and waits until each has loaded its validator (and, given `requests`, opened the database). */
  static async start(options: ValidationWorkersOptions, requests?: RequestHandling): Promise<ValidationWorkers> {
    const pool = new ValidationWorkers(options, requests);
    try {
      await Promise.all(Array.from({ length: Math.max(1, options.count ?? DEFAULT_VALIDATION_WORKERS) }, () => pool.spawn()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** Whether the threads serve the sandbox's routes (`handle`): given a database another thread can open. */
  get handlesRequests(): boolean {
    return this.requests?.database.handle !== undefined;
  }

  issuesOf(resource: unknown, profile: string): Promise<Issue[]> {
    const bytes = serialize(resource);
    return this.run(bytes, { profile }).then((reply) => reply.issues ?? []);
  }

  /** Handles a request whole on a thread (one of its routes, as the event loop would); `handlesRequests` must be true. */
  handle(request: WholeRequest): Promise<WholeResponse> {
    const { body, ...rest } = request;
    return this.run(body, { request: rest }).then((reply) => reply.response!);
  }

  private run(bytes: Uint8Array, work: Job['work']): Promise<ValidationWorkerReply> {
    if (this.closed) return Promise.reject(FhirError.of(503, 'transient', 'The sandbox is stopping'));
    return new Promise((done, fail) => {
      this.queue.push({ id: this.nextId++, bytes, large: bytes.byteLength > LARGE_BODY_BYTES, work, done, fail });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.fail(FhirError.of(503, 'transient', 'The sandbox is stopping'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    // a new handle per thread: a PGlite port belongs to one thread, and closes with it
    const handle = this.requests?.database.handle?.();
    const workerData: ValidationWorkerData = { load: this.options.load, ...(handle ? { requests: { ...this.requests!, database: handle } } : {}) };
    const worker = new Worker(new URL('./validation-worker.js', import.meta.url), {
      workerData,
      transferList: handle && 'port' in handle ? [handle.port] : [],
    });
    const slot: Slot = { worker };
    return new Promise((ready, fail) => {
      worker.once('error', fail);
      worker.once('message', () => {
        worker.off('error', fail);
        worker.on('message', (m: ValidationWorkerReply) =>
          this.finish(slot, (job) => (m.error !== undefined ? job.fail(new Error(`a request thread failed: ${m.error}`)) : job.done(m))),
        );
        // a thread that dies (out of memory…) fails its request, and another takes its place
        worker.on('error', (e) => this.replace(slot, FhirError.of(503, 'transient', `Validation stopped (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
        this.slots.push(slot);
        this.dispatch();
        ready();
      });
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const at = this.queue.findIndex((job) => !job.large || this.mayTakeLarge());
      if (at < 0) return;
      const job = this.queue.splice(at, 1)[0]!;
      slot.job = job;
      const budget = this.options.budgetMs ?? 30_000;
      const what = 'request' in job.work ? 'This request' : 'Validation of this request';
      slot.timer = setTimeout(() => this.replace(slot, FhirError.of(503, 'too-costly', `${what} took more than ${budget / 1000} s and was stopped`)), budget);
      // each job's bytes have an ArrayBuffer of their own (never the shared Buffer pool): moved, not copied
      slot.worker.postMessage({ id: job.id, bytes: job.bytes, ...job.work }, [job.bytes.buffer as ArrayBuffer]);
    }
  }

  /** Whether a large body may start now: one thread always stays free of them (unless there is only one). */
  private mayTakeLarge(): boolean {
    const busyWithLarge = this.slots.filter((s) => s.job?.large).length;
    return this.slots.length === 1 || busyWithLarge < this.slots.length - 1;
  }

  private finish(slot: Slot, settle: (job: Job) => void): void {
    if (!this.slots.includes(slot)) return; // a thread already replaced answered late
    clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = undefined;
    if (job) settle(job);
    this.dispatch();
  }

  /** Fails the slot's request, stops its thread and starts another. */
  private replace(slot: Slot, error: FhirError): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    clearTimeout(slot.timer);
    slot.job?.fail(error);
    slot.job = undefined;
    void slot.worker.terminate();
    if (!this.closed) this.spawn().catch(() => undefined);
  }
}
