/**
 * The embedded PGlite database, run in a worker thread (pglite-worker.ts). PGlite is PostgreSQL
 * compiled to WebAssembly: it runs on the thread that calls it, and storing a 7 MB resource costs
 * that thread ~100 ms (the copy into WebAssembly, the JSONB parse, the synchronous file writes).
 * On its own thread, that cost no longer delays the answers to other clients.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database, Queryable } from './database.js';

const WORKER = new URL('./pglite-worker.js', import.meta.url);

export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

/** An answer to a request (`id` -1: the database is open, or could not be). */
export type PgliteReply = { id: number; result?: unknown; error?: { message: string; code?: string } };

/** What a database thread is started with: its folder, and whether it only creates the database, then ends. */
export interface PgliteWorkerData {
  dir: string;
  createOnly?: boolean;
}

/**
 * Opens (creating if needed) the PGlite database of folder `dir` on its own thread. A new database
 * is made by initdb, a second WebAssembly instance whose memory PGlite keeps as long as it runs
 * (RSS ~840 MB on a first start against ~300 MB on an existing database): it is made on a thread
 * of its own that then ends and gives that memory back.
 */
export async function openPgliteThread(dir: string): Promise<Database> {
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const creator = new Worker(WORKER, { workerData: { dir, createOnly: true } satisfies PgliteWorkerData });
    const created = await new Promise<PgliteReply>((resolve, reject) => {
      creator.once('message', resolve);
      creator.once('error', reject);
      // a thread that ends without a word (killed, out of memory) must not leave the start waiting
      creator.once('exit', (code) => reject(new Error(`the creating thread exited (code ${code})`)));
    }).catch((e: Error) => ({ id: -1, error: { message: e.message } }));
    await creator.terminate();
    if (created.error) throw new Error(`cannot create the PGlite database in ${dir}: ${created.error.message}`);
  }
  const worker = new Worker(WORKER, { workerData: { dir } satisfies PgliteWorkerData });
  const pending = new Map<number, { done(result: unknown): void; fail(error: Error): void }>();
  let nextId = 0;
  let stopped: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(-1, { done: () => resolve(), fail: reject });
  });
  worker.on('message', (m: PgliteReply) => {
    const call = pending.get(m.id);
    if (!call) return;
    pending.delete(m.id);
    if (m.error) call.fail(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
    else call.done(m.result);
  });
  // a thread that dies fails what it was asked, and every later call
  const stop = (error: Error) => {
    stopped ??= error;
    for (const call of pending.values()) call.fail(stopped);
    pending.clear();
  };
  worker.on('error', (e) => stop(new Error(`the database thread stopped: ${e.message}`)));
  worker.on('exit', (code) => stop(new Error(`the database thread exited (code ${code})`)));

  const call = <T>(request: Distribute<PgliteRequest>): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<T>((done, fail) => {
      pending.set(id, { done: done as (r: unknown) => void, fail });
      worker.postMessage({ ...request, id });
    });
  };

  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw new Error(`cannot open the PGlite database in ${dir}: ${(e as Error).message}`);
  }
  return {
    description: `PGlite ${dir}`,
    query: (sql, params) => call({ op: 'query', sql, params }),
    async transaction(work) {
      const tx = await call<number>({ op: 'begin' });
      const inside: Queryable = { query: (sql, params) => call({ op: 'query', sql, params, tx }) };
      let result;
      try {
        result = await work(inside);
      } catch (e) {
        await call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw e;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    async close() {
      if (!stopped) await call({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
