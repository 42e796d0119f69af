/**
 * The worker thread that holds the sandbox's embedded PGlite database (see pglite-thread.ts):
 * runs the queries and the transactions the event loop asks for, one message each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { PgliteReply, PgliteRequest, PgliteWorkerData } from './pglite-thread.js';

const port = parentPort!;
const reply = (message: PgliteReply) => port.postMessage(message);
const failure = (e: unknown) => ({ message: (e as Error).message ?? String(e), code: (e as { code?: string }).code });

/** Thrown inside a transaction to have PGlite roll it back. */
const ROLLBACK = Symbol('rollback');

interface Open {
  tx: Transaction;
  end(commit: boolean): void;
  settled: Promise<unknown>;
}

const { dir, createOnly } = workerData as PgliteWorkerData;
let pg: PGlite;
try {
  pg = new PGlite(dir);
  await pg.waitReady;
  if (createOnly) {
    await pg.close();
    reply({ id: -1, result: 'created' });
    process.exit(0);
  }
} catch (e) {
  reply({ id: -1, error: failure(e) });
  process.exit(1);
}
const open = new Map<number, Open>();

port.on('message', (m: PgliteRequest) => {
  void handle(m).then(
    (result) => reply({ id: m.id, result }),
    (e) => reply({ id: m.id, error: failure(e) }),
  );
});
reply({ id: -1, result: 'ready' });

async function handle(m: PgliteRequest): Promise<unknown> {
  switch (m.op) {
    case 'query': {
      const on = m.tx === undefined ? pg : open.get(m.tx)?.tx;
      if (!on) throw new Error(`transaction ${m.tx} is not open`);
      return { rows: (await on.query(m.sql, m.params)).rows };
    }
    case 'begin': {
      // answers once the transaction is open; it stays open until `end` commits or rolls it back
      let opened!: (id: number) => void;
      const answer = new Promise<number>((resolve) => (opened = resolve));
      const t = { end: (_commit: boolean) => undefined } as Open;
      t.settled = pg
        .transaction(async (tx) => {
          t.tx = tx;
          const commit = await new Promise<boolean>((end) => {
            t.end = end;
            open.set(m.id, t);
            opened(m.id);
          });
          if (!commit) throw ROLLBACK;
        })
        .catch((e) => {
          if (e !== ROLLBACK) throw e;
        });
      return Promise.race([answer, t.settled]);
    }
    case 'end': {
      const t = open.get(m.tx);
      if (!t) throw new Error(`transaction ${m.tx} is not open`);
      open.delete(m.tx);
      t.end(m.commit);
      return t.settled;
    }
    case 'close':
      await pg.close();
      return undefined;
  }
}
