/** The sandbox database folder: PGlite runs in the process that opens it, so one process at a time. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@mes-fhir/sandbox';

const scratch = mkdtempSync(join(tmpdir(), 'mes-sandbox-db-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a PGlite folder', () => {
  it('is open in one process at a time; the lock of a process that is gone is taken over', async () => {
    const dir = join(scratch, 'db');
    const db = await openDatabase(dir);
    await expect(openDatabase(dir)).rejects.toThrow(new RegExp(`is open in process ${process.pid} \\(a running sandbox\\?\\)`));
    await db.close();
    expect(existsSync(join(dir, 'mes-fhir-sandbox.lock'))).toBe(false);
    // a pid no process has (above the kernel's pid_max)
    writeFileSync(join(dir, 'mes-fhir-sandbox.lock'), '2147483646');
    const again = await openDatabase(dir);
    expect((await again.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    await again.close();
  });
});

describe('the files of large contents (embedded database)', () => {
  it('a transaction that rolls back removes the files it wrote; one that commits removes those it replaced', async () => {
    const dir = join(scratch, 'db-contents');
    const db = await openDatabase(dir);
    const files = () => readdirSync(join(dir, 'large-contents')).sort();
    try {
      await db.largeContents!.write('Observation-a-1.json', '{"resourceType":"Observation"}');
      await expect(
        db.transaction(async (tx) => {
          await tx.largeContents!.write('Observation-a-2.json', '{}');
          await tx.largeContents!.replace('Observation-a-1.json');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(files()).toEqual(['Observation-a-1.json']);
      await db.transaction(async (tx) => {
        await tx.largeContents!.write('Observation-a-2.json', '{}');
        await tx.largeContents!.replace('Observation-a-1.json');
        // replaced, not yet removed: the transaction may still roll back
        expect(files()).toEqual(['Observation-a-1.json', 'Observation-a-2.json']);
      });
      expect(files()).toEqual(['Observation-a-2.json']);
      expect(await db.largeContents!.read('Observation-a-2.json')).toBe('{}');
    } finally {
      await db.close();
    }
    // no row names Observation-a-2.json: the next opening removes it
    const again = await openDatabase(dir);
    expect(files()).toEqual([]);
    await again.close();
  });
});

describe('a request thread on the embedded database', () => {
  it('queries through a port of its own; a transaction it leaves open when it ends is rolled back', async () => {
    const dir = join(scratch, 'db-threads');
    const db = await openDatabase(dir);
    try {
      await db.query('CREATE TABLE marks (n integer)');
      const handle = db.handle!();
      const module = new URL('../packages/sandbox/dist/database.js', import.meta.url).href;
      const thread = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
        import(workerData.module).then(async ({ connectDatabase }) => {
          const db = await connectDatabase(workerData.handle);
          await db.query('INSERT INTO marks VALUES (1)');
          // stopped inside this transaction, which never ends by itself
          void db.transaction(async (tx) => {
            await tx.query('INSERT INTO marks VALUES (2)');
            parentPort.postMessage('inside');
            await new Promise(() => {});
          });
        });`,
        { eval: true, workerData: { module, handle }, transferList: 'port' in handle ? [handle.port] : [] },
      );
      await once(thread, 'message');
      await thread.terminate();
      // PGlite has one connection: this waits until the stopped thread's transaction is rolled back
      expect((await db.query<{ n: number }>('SELECT n FROM marks ORDER BY n')).rows).toEqual([{ n: 1 }]);
      await db.transaction((tx) => tx.query('INSERT INTO marks VALUES (3)'));
      expect((await db.query<{ n: number }>('SELECT n FROM marks ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 3 }]);
    } finally {
      await db.close();
    }
  });
});
