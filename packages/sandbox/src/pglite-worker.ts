/**
 * The worker thread that holds the sandbox's embedded PGlite database (see pglite-thread.ts):
 * runs the queries and the transactions its clients ask for, one message each. Its clients are the
 * event loop (the thread that started it) and the request threads given a port of their own.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { PgliteReply, PgliteRequest, PgliteWorkerData } from './pglite-thread.js';

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
    parentPort!.postMessage({ id: -1, result: 'created' } satisfies PgliteReply);
    process.exit(0);
  }
} catch (e) {
  parentPort!.postMessage({ id: -1, error: failure(e) } satisfies PgliteReply);
  process.exit(1);
}
/** Open transactions, by an id of this thread (clients number their requests each on their own). */
const open = new Map<number, Open>();
let nextTx = 0;

serve(parentPort!, true);
parentPort!.postMessage({ id: -1, result: 'ready' } satisfies PgliteReply);

/** Answers the requests of one client; only the thread that started this one attaches others, or closes the database. */
function serve(client: MessagePort | NonNullable<typeof parentPort>, owner: boolean): void {
  const mine = new Set<number>();
  let gone = false;
  client.on('message', (m: PgliteRequest) => {
    if (m.op === 'attach' && owner) return serve(m.port, false);
    const refused = m.op === 'attach' || (m.op === 'close' && !owner);
    void (refused ? Promise.reject(new Error(`${m.op} is not for this client`)) : handle(m as Handled, mine, () => gone)).then(
      (result) => client.postMessage({ id: m.id, result } satisfies PgliteReply),
      (e) => client.postMessage({ id: m.id, error: failure(e) } satisfies PgliteReply),
    );
  });
  // A client thread that ends (stopped past its time budget, crashed) leaves no transaction open:
  // PGlite has one connection, and every other client would wait behind it.
  client.on('close', () => {
    gone = true;
    for (const tx of mine) if (open.has(tx)) end(tx, false).catch(() => undefined);
  });
}

function end(id: number, commit: boolean): Promise<unknown> {
  const t = open.get(id);
  if (!t) throw new Error(`transaction ${id} is not open`);
  open.delete(id);
  t.end(commit);
  return t.settled;
}

type Handled = Exclude<PgliteRequest, { op: 'attach' }>;

async function handle(m: Handled, mine: Set<number>, gone: () => boolean): Promise<unknown> {
  switch (m.op) {
    case 'query': {
      const on = m.tx === undefined ? pg : mine.has(m.tx) ? open.get(m.tx)?.tx : undefined;
      if (!on) throw new Error(`transaction ${m.tx} is not open`);
      return { rows: (await on.query(m.sql, m.params)).rows };
    }
    case 'begin': {
      // answers once the transaction is open; it stays open until `end` commits or rolls it back
      const id = nextTx++;
      let opened!: (id: number) => void;
      const answer = new Promise<number>((resolve) => (opened = resolve));
      const t = { end: (_commit: boolean) => undefined } as Open;
      t.settled = pg
        .transaction(async (tx) => {
          t.tx = tx;
          const commit = await new Promise<boolean>((endWith) => {
            t.end = endWith;
            // a client gone while it waited for the connection never ends it: roll back at once
            if (gone()) return endWith(false);
            open.set(id, t);
            mine.add(id);
            opened(id);
          });
          mine.delete(id);
          if (!commit) throw ROLLBACK;
        })
        .catch((e) => {
          if (e !== ROLLBACK) throw e;
        });
      return Promise.race([answer, t.settled]);
    }
    case 'end':
      if (!mine.has(m.tx)) throw new Error(`transaction ${m.tx} is not open`);
      return end(m.tx, m.commit);
    case 'close':
      await pg.close();
      return undefined;
  }
}
