/**
 * Contents of large resources, kept beside the embedded database. PGlite runs one statement at a
 * time on one thread, and storing a value of several MB holds that thread 100–250 ms whatever the
 * column type (scripts/PERFORMANCE.md), while every other client's query waits. A content whose
 * JSON passes LARGE_CONTENT_BYTES is therefore written to a file of the database folder, synced
 * and renamed into place before its row is written; the row keeps the name of the file and a
 * summary of the content (what SQL filters read). A PostgreSQL server has no such thread: there,
 * contents stay in their row.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json } from '@mes-fhir/core';

/** A content whose JSON text is longer than this (1 MiB) goes to a file. */
export const LARGE_CONTENT_BYTES = 1024 * 1024;

/** The folder of the files, inside the PGlite folder. */
const FOLDER = 'large-contents';

/** What a unit of work (a transaction, or a single statement) does to the files. */
export interface LargeContentChanges {
  read(name: string): Promise<string>;
  /** Writes a content; durable when it returns, removed again if the unit of work fails. */
  write(name: string, text: string): Promise<void>;
  /** A file the unit of work no longer needs (a former version): removed once it holds. */
  replace(name: string): Promise<void>;
  /** A file written for a statement that failed: removed now. */
  discard(name: string): Promise<void>;
}

export class LargeContents {
  private constructor(private readonly dir: string) {}

  static async open(databaseDir: string): Promise<LargeContents> {
    const dir = join(databaseDir, FOLDER);
    await mkdir(dir, { recursive: true });
    return new LargeContents(dir);
  }

  /** Outside a transaction: each change holds at once. */
  immediate(): LargeContentChanges {
    return {
      read: (name) => this.read(name),
      write: (name, text) => this.write(name, text),
      replace: (name) => this.remove(name),
      discard: (name) => this.remove(name),
    };
  }

  /** Inside a transaction: written files are removed if it rolls back, replaced ones once it commits. */
  unitOfWork(): LargeContentChanges & { committed(): Promise<void>; rolledBack(): Promise<void> } {
    const written: string[] = [];
    const replaced: string[] = [];
    return {
      read: (name) => this.read(name),
      write: async (name, text) => {
        written.push(name);
        await this.write(name, text);
      },
      replace: async (name) => void replaced.push(name),
      discard: (name) => this.remove(name),
      committed: async () => void (await Promise.all(replaced.map((n) => this.remove(n)))),
      rolledBack: async () => void (await Promise.all(written.map((n) => this.remove(n)))),
    };
  }

  /** Removes the files no row names: left by a stop between a file and its commit, or before a replaced file went. */
  async sweep(named: Set<string>): Promise<void> {
    for (const name of await readdir(this.dir)) if (!named.has(name)) await this.remove(name);
  }

  private read(name: string): Promise<string> {
    return readFile(join(this.dir, name), 'utf8');
  }

  private async write(name: string, text: string): Promise<void> {
    const path = join(this.dir, name);
    const file = await open(`${path}.tmp`, 'w');
    try {
      await file.writeFile(text);
      // synced before the row that names it is committed: a kill never leaves a row without its content
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(`${path}.tmp`, path);
  }

  private remove(name: string): Promise<void> {
    return rm(join(this.dir, name), { force: true });
  }
}

/**
 * What a row keeps of a content held in a file: its short top-level primitives (resourceType, id,
 * status…), which SQL filters read.
 */
export function summaryOf(content: Json): Json {
  return Object.fromEntries(
    Object.entries(content).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 256)),
  );
}
