/**
 * The databases the sandbox's tests run on: the embedded PGlite always, and a PostgreSQL server
 * when MES_SANDBOX_TEST_POSTGRES names one (CI starts it), each test sandbox on a fresh database.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

export interface Target {
  name: string;
  /** A fresh database for one sandbox (same target on restart). */
  database(): Promise<string>;
  cleanup(): Promise<void>;
}

export function pgliteTarget(scratch: string): Target {
  let n = 0;
  return { name: 'PGlite', database: async () => join(scratch, `db-${++n}`), cleanup: async () => undefined };
}

export function postgresTarget(admin: string): Target {
  const created: string[] = [];
  // two test files (or runs) on one server never name the same database
  const tag = randomBytes(4).toString('hex');
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    name: 'PostgreSQL',
    async database() {
      const name = `mes_sandbox_test_${process.pid}_${tag}_${created.length + 1}`;
      await run(`DROP DATABASE IF EXISTS ${name}`);
      await run(`CREATE DATABASE ${name}`);
      created.push(name);
      const u = new URL(admin);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async cleanup() {
      for (const name of created) await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** PGlite under `scratch`, then PostgreSQL when the environment names a server. */
export function sandboxDatabases(scratch: string): Target[] {
  const admin = process.env.MES_SANDBOX_TEST_POSTGRES;
  return [pgliteTarget(scratch), ...(admin ? [postgresTarget(admin)] : [])];
}
