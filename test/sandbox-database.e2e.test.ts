/** The sandbox database folder: PGlite runs in the process that opens it, so one process at a time. */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
