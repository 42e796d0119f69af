/**
 * The embedded PGlite database, run in a worker thread (pglite-worker.ts). PGlite is PostgreSQL
 * compiled to WebAssembly: it runs on the thread that calls it, and storing a 7 MB resource costs
 * that thread ~100 ms (the copy into WebAssembly, the JSONB parse, the synchronous file writes).
 * On its own thread, that cost no longer delays the answers to other clients.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Database, Queryable } from './database.js';

const WORKER = new URL('./pglite-worker.js', import.meta.url);

export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' }
  /** A port of another thread, served as a client of its own (its transactions roll back if that thread ends). */
  | { id: number; op: 'attach'; port: MessagePort };

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

/** An answer to a request (`id` -1: the database is open, or could not be). */
export type PgliteReply = { id: number; result?: unknown; error?: { message: string; code?: string } };

/** What a database thread is started with: its folder, and whether it only creates the database, then ends. */
export interface PgliteWorkerData {
  dir: string;
  createOnly?: boolean;
}

/** The database's thread, as the thread that started it holds it. */
export interface PgliteThread extends Database {
  /** A port for another thread (a request thread) to query this database through pgliteClient. */
  attach(): MessagePort;
}

/**
 * Opens (creating if needed) the PGlite database of folder `dir` on its own thread. A new database
 * is made by initdb, a second WebAssembly instance whose memory PGlite keeps as long as it runs
 * (RSS ~840 MB on a first start against ~300 MB on an existing database): it is made on a thread
 * of its own that then ends and gives that memory back.
 */
export async function openPgliteThread(dir: string): Promise<PgliteThread> {
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
  const client = connect(worker, `PGlite ${dir}`);
  worker.on('error', (e) => client.stop(new Error(`the database thread stopped: ${e.message}`)));
  worker.on('exit', (code) => client.stop(new Error(`the database thread exited (code ${code})`)));
  try {
    await client.ready;
  } catch (e) {
    await worker.terminate();
    throw new Error(`cannot open the PGlite database in ${dir}: ${(e as Error).message}`);
  }
  return {
    ...client.database,
    attach() {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ id: -1, op: 'attach', port: port2 } satisfies PgliteRequest, [port2]);
      return port1;
    },
    async close() {
      await client.database.close();
      await worker.terminate();
    },
  };
}

/** The database of another thread's PGlite, through a port from its `attach()` (closing it closes only the port). */
export function pgliteClient(port: MessagePort, description: string): Database {
  const client = connect(port, description);
  port.on('close', () => client.stop(new Error('the database thread is gone')));
  return {
    ...client.database,
    async close() {
      client.stop(new Error('the database is closed'));
      port.close();
    },
  };
}

/** Requests to the database thread over a worker or a port, each answered by id. */
function connect(endpoint: Worker | MessagePort, description: string) {
  const pending = new Map<number, { done(result: unknown): void; fail(error: Error): void }>();
  let nextId = 0;
  let stopped: Error | undefined;
  // the thread says when the database is open (id -1); an attached port is served at once
  const ready =
    endpoint instanceof Worker
      ? new Promise<void>((resolve, reject) => {
          pending.set(-1, { done: () => resolve(), fail: reject });
        })
      : Promise.resolve();
  endpoint.on('message', (m: PgliteReply) => {
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
  const call = <T>(request: Distribute<Exclude<PgliteRequest, { op: 'attach' }>>): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<T>((done, fail) => {
      pending.set(id, { done: done as (r: unknown) => void, fail });
      endpoint.postMessage({ ...request, id });
    });
  };
  const database: Database = {
    description,
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
    },
  };
  return { database, ready, stop };
}
