import { Worker } from 'node:worker_threads';
import type { Checked, Input } from './validate-core.js';
import type { WorkerSetup } from './validate-worker.js';

/**
 * Worker threads that validate batches in parallel; results come back in submission order
 * through the promises `submit` returns (the caller awaits them in order, which bounds memory).
 */
/** Old-generation heap of each worker thread (MiB): three times what a loaded validator needs. */
const WORKER_HEAP_MB = 384;

export class ValidationPool {
  private next = 0;
  private seq = 0;
  private readonly waiting = new Map<number, { done: (results: Checked[]) => void; fail: (e: Error) => void }>();

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: { seq?: number; results?: Checked[] }) => {
        if (m.seq === undefined) return;
        this.waiting.get(m.seq)?.done(m.results!);
        this.waiting.delete(m.seq);
      });
      // a worker that dies fails every batch still waiting: the command stops with the reason
      w.on('error', (e) => {
        const stopped = new Error(`a validation worker stopped (${(e as NodeJS.ErrnoException).code ?? e.message}); fewer --workers leave each more memory`);
        for (const { fail } of this.waiting.values()) fail(stopped);
        this.waiting.clear();
      });
    }
  }

  static async start(count: number, setup: WorkerSetup): Promise<ValidationPool> {
    // A loaded validator holds ~120 MB; without a limit each thread's heap grows lazily far past that
    // when validation is fast, and the process passes 1 GiB. The limit makes the garbage collector keep up.
    const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
    const workers = Array.from({ length: count }, () => new Worker(new URL('./validate-worker.js', import.meta.url), { workerData: setup, resourceLimits }));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((ready, fail) => {
            w.once('error', fail);
            w.once('message', () => ready());
          }),
      ),
    );
    return new ValidationPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  submit(inputs: Input[]): Promise<Checked[]> {
    const seq = this.seq++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((done, fail) => {
      this.waiting.set(seq, { done, fail });
      worker.postMessage({ seq, inputs });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
