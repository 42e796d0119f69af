/**
 * Validation off the event loop: worker threads, each with its own loaded validator, take the
 * requests in turn, so that a costly body (a Bundle with 200,000 profiles) costs its own worker and
 * never the answers to other clients. Large bodies never take the last free worker: small ones
 * always have a thread, and one client sending large bodies in a loop delays only large bodies.
 * A request that runs past its time budget is answered 503 and its worker replaced (a thread
 * cannot be interrupted otherwise).
 */
import { availableParallelism } from 'node:os';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Issue } from '@mes-fhir/core';
import type { ProjectIndexOptions } from '@mes-fhir/fhir-packages';
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

interface Job {
  id: number;
  /** The resource as v8 serializes it: the size tells a large body, and the bytes move to the thread without a second copy. */
  bytes: Uint8Array;
  /** Over LARGE_BODY_BYTES (noted before the bytes move: a moved buffer reads as empty). */
  large: boolean;
  profile: string;
  done(issues: Issue[]): void;
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

  private constructor(private readonly options: ValidationWorkersOptions) {}

  /** Starts the threads and waits until each has loaded its validator. */
  static async start(options: ValidationWorkersOptions): Promise<ValidationWorkers> {
    const pool = new ValidationWorkers(options);
    await Promise.all(Array.from({ length: Math.max(1, options.count ?? DEFAULT_VALIDATION_WORKERS) }, () => pool.spawn()));
    return pool;
  }

  issuesOf(resource: unknown, profile: string): Promise<Issue[]> {
    if (this.closed) return Promise.reject(FhirError.of(503, 'transient', 'The sandbox is stopping'));
    return new Promise((done, fail) => {
      const bytes = serialize(resource);
      this.queue.push({ id: this.nextId++, bytes, large: bytes.byteLength > LARGE_BODY_BYTES, profile, done, fail });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.fail(FhirError.of(503, 'transient', 'The sandbox is stopping'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const worker = new Worker(new URL('./validation-worker.js', import.meta.url), { workerData: this.options.load });
    const slot: Slot = { worker };
    return new Promise((ready, fail) => {
      worker.once('error', fail);
      worker.once('message', () => {
        worker.off('error', fail);
        worker.on('message', (m: { id: number; issues: Issue[] }) => this.finish(slot, (job) => job.done(m.issues)));
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
      slot.timer = setTimeout(
        () => this.replace(slot, FhirError.of(503, 'too-costly', `Validation of this request took more than ${budget / 1000} s and was stopped`)),
        budget,
      );
      // v8.serialize gives each result its own ArrayBuffer (never the shared Buffer pool): moved, not copied
      slot.worker.postMessage({ id: job.id, bytes: job.bytes, profile: job.profile }, [job.bytes.buffer as ArrayBuffer]);
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
