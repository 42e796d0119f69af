import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { openPgliteThread, pgliteClient } from './pglite-thread.js';
import { LargeContents, type LargeContentChanges } from './large-contents.js';

/** What the sandbox needs of SQL: parameterised queries and atomic units of work. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** The embedded database's files of large contents (large-contents.ts), as this unit of work changes them. */
  readonly largeContents?: LargeContentChanges;
}

export interface Database extends Queryable {
  /** Runs `work` in one SQL transaction: every write or none. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Removes the files of large contents no row names (embedded database, once migrated). */
  sweep?(): Promise<void>;
  /** "PGlite <dir>" or "PostgreSQL <host>/<db>", for the start-up line. */
  readonly description: string;
  /** What another thread opens the same database with (connectDatabase). */
  handle?(): DatabaseHandle;
}

/**
 * The same database for a request thread: plain data, moved to the thread (its port in the
 * transfer list). The embedded database is served through a port of its own thread; a PostgreSQL
 * server takes another small pool.
 */
export type DatabaseHandle = { postgres: string } | { pglite: string; port: MessagePort };

/** Connections of a request thread's pool: its one request's transaction, and the recorder's insert. */
const THREAD_POOL_SIZE = 2;

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/**
 * Opens the sandbox database: a PostgreSQL server when `target` is a `postgres://` or
 * `postgresql://` URL, else an embedded PGlite database persisted in the folder `target`.
 * Pending migrations are applied before it is returned.
 */
export async function openDatabase(target: string): Promise<Database> {
  const db = /^postgres(ql)?:\/\//.test(target) ? await openPostgres(target) : await openPglite(target);
  try {
    await migrate(db);
    await db.sweep?.();
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/**
 * Opens, in a request thread, the database another thread opened (migrated, locked and swept
 * there). Closing it leaves that database open.
 */
export async function connectDatabase(handle: DatabaseHandle): Promise<Database> {
  if ('postgres' in handle) return openPostgres(handle.postgres, THREAD_POOL_SIZE);
  const db = pgliteClient(handle.port, `PGlite ${handle.pglite}`);
  return withLargeContents(db, await LargeContents.open(handle.pglite));
}

async function openPglite(dir: string): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const unlock = lockFolder(dir);
  try {
    const db = await openPgliteThread(dir);
    const contents = await LargeContents.open(dir).catch(async (e: Error) => {
      await db.close();
      throw e;
    });
    return {
      ...withLargeContents(db, contents),
      async sweep() {
        const { rows } = await db.query<{ content_file: string }>('SELECT content_file FROM resources WHERE content_file IS NOT NULL');
        await contents.sweep(new Set(rows.map((r) => r.content_file)));
      },
      handle: () => ({ pglite: dir, port: db.attach() }),
      close: () => db.close().finally(unlock),
    };
  } catch (e) {
    unlock();
    throw e;
  }
}

/** The embedded database with its files of large contents, written and removed with each unit of work. */
function withLargeContents(db: Database, contents: LargeContents): Database {
  return {
    description: db.description,
    query: (sql, params) => db.query(sql, params),
    largeContents: contents.immediate(),
    async transaction(work) {
      const changes = contents.unitOfWork();
      let result;
      try {
        result = await db.transaction((tx) => work({ query: (sql, params) => tx.query(sql, params), largeContents: changes }));
      } catch (e) {
        await changes.rolledBack();
        throw e;
      }
      await changes.committed();
      return result;
    },
    close: () => db.close(),
  };
}

/** Marks a PGlite folder as open by this process. */
const LOCK_FILE = 'mes-fhir-sandbox.lock';

/**
 * One process at a time on a PGlite folder: PGlite has no server to share the files, and a second
 * writer (another sandbox, a report read while the sandbox runs) would corrupt them. A lock left
 * by a process that is gone is taken over. Returns the release.
 */
function lockFolder(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid))
      throw new Error(`the database ${dir} is open in process ${pid} (a running sandbox?): stop it first, or read its report at <sandbox>/recette/<clientId>`);
    rmSync(file, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, connections = 8): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: connections });
  // Fail now, with the server's reason, rather than on the first request.
  const probe = await pool.connect().catch(async (e: Error) => {
    await pool.end();
    throw new Error(`cannot connect to ${redact(url)}: ${e.message}`);
  });
  probe.release();
  const u = new URL(url);
  return {
    description: `PostgreSQL ${u.host}${u.pathname}`,
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)) as unknown as { rows: T[] },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)) as unknown as { rows: T[] } });
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    handle: () => ({ postgres: url }),
    close: () => pool.end(),
  };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The migration files shipped with the package, in order (`NNN_name.sql`). */
export function migrationFiles(): Array<{ version: number; name: string; sql: string }> {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: readFileSync(join(MIGRATIONS_DIR, f), 'utf8') }));
}

/** Applies the migrations not yet recorded in schema_migrations, each in its own transaction. */
async function migrate(db: Database): Promise<void> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
  for (const m of migrationFiles()) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx) => {
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
  }
}

/** Statements of a migration file (no `;` inside literals in our migrations). */
function splitStatements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
