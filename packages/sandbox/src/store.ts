import type { Caller } from './apps.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from './database.js';
import type { Json } from '@mes-fhir/core';
import { LARGE_CONTENT_BYTES, summaryOf } from './large-contents.js';

/** A stored resource row, as the routes need it. */
export interface StoredResource {
  type: string;
  id: string;
  version: number;
  lastUpdated: string;
  patientId: string | null;
  owner: string;
  content: Json;
}

interface Row {
  type: string;
  id: string;
  version: number;
  last_updated: Date | string;
  patient_id: string | null;
  owner_client: string;
  content: Json;
  /** The file of a large content (large-contents.ts), `content` then being its summary. */
  content_file: string | null;
}

async function fromRow(db: Queryable, r: Row): Promise<StoredResource> {
  const content = r.content_file ? await db.largeContents!.read(r.content_file) : r.content;
  return {
    type: r.type,
    id: r.id,
    version: Number(r.version),
    lastUpdated: new Date(r.last_updated).toISOString(),
    patientId: r.patient_id,
    owner: r.owner_client,
    content: typeof content === 'string' ? (JSON.parse(content) as Json) : content,
  };
}

const CONTENT_FILE = /^[A-Za-z]+-[0-9A-Za-z-]{1,64}-\d+-[0-9a-f]{8}\.json$/;

/**
 * The columns of a content: its JSON in the row, or, when the database keeps large contents in
 * files and this one is large, its summary in the row and the name of the file just written.
 */
async function contentColumns(db: Queryable, r: { type: string; id: string; version: number }, content: Json): Promise<{ json: string; file: string | null }> {
  const json = JSON.stringify(content);
  if (!db.largeContents || json.length <= LARGE_CONTENT_BYTES) return { json, file: null };
  // unique, so that two updates of one resource at once never write one file; a name, never a
  // path: built from the sandbox's own type names and ids
  const file = `${r.type}-${r.id}-${r.version}-${randomBytes(4).toString('hex')}.json`;
  if (!CONTENT_FILE.test(file)) throw new Error(`no file name for the content of ${r.type}/${r.id}`);
  await db.largeContents.write(file, json);
  return { json: JSON.stringify(summaryOf(content)), file };
}

/** Runs the statement that stores a content; the file written for it goes if it fails. */
async function storeContent(db: Queryable, columns: { file: string | null }, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (columns.file) await db.largeContents?.discard(columns.file);
    throw e;
  }
}

export interface Pairing {
  patient: string;
  oid: string;
  idPe: string;
  /** True when this call created the pairing. */
  created: boolean;
}

/** New resource to store; `content` gets its id and meta (versionId, lastUpdated) here. */
export interface NewResource {
  type: string;
  patientId: string | null;
  owner: string;
  code?: string;
  effective?: string;
  identifiers?: string[];
  content: Json;
}

/** The SQL of the sandbox, one function per question the routes ask. */
export const store = {
  /**
   * Pairs the app with the test patient `label` (created on first use) under a new idPe, or
   * `wantedIdPe` (seeds); pairing again returns the existing idPe.
   */
  async pair(db: Queryable, clientId: string, oid: string, label: string, wantedIdPe?: string): Promise<Pairing> {
    await db.query('INSERT INTO patients (id, label) VALUES ($1, $2) ON CONFLICT (label) DO NOTHING', [randomUUID(), label]);
    const patient = (await db.query<{ id: string }>('SELECT id FROM patients WHERE label = $1', [label])).rows[0]!;
    const idPe = wantedIdPe ?? `IDPE-${randomBytes(4).toString('hex').toUpperCase()}`;
    const inserted = await db.query<{ id_pe: string }>(
      'INSERT INTO pairings (client_id, patient_id, oid, id_pe) VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, patient_id) DO NOTHING RETURNING id_pe',
      [clientId, patient.id, oid, idPe],
    );
    if (inserted.rows[0]) return { patient: label, oid, idPe: inserted.rows[0].id_pe, created: true };
    const existing = (
      await db.query<{ id_pe: string; oid: string }>('SELECT id_pe, oid FROM pairings WHERE client_id = $1 AND patient_id = $2', [clientId, patient.id])
    ).rows[0]!;
    return { patient: label, oid: existing.oid, idPe: existing.id_pe, created: false };
  },

  /** The apps a test patient is paired with (the patient's "Mes applications"). */
  async appsOf(db: Queryable, label: string): Promise<Array<{ clientId: string; oid: string; idPe: string }>> {
    const { rows } = await db.query<{ client_id: string; oid: string; id_pe: string }>(
      'SELECT x.client_id, x.oid, x.id_pe FROM pairings x JOIN patients p ON p.id = x.patient_id WHERE p.label = $1 ORDER BY x.created_at, x.client_id',
      [label],
    );
    return rows.map((r) => ({ clientId: r.client_id, oid: r.oid, idPe: r.id_pe }));
  },

  /** Ends a pairing (the patient withdraws consent): the app no longer reads or writes for them. Its idPe, if there was one. */
  async unpair(db: Queryable, clientId: string, label: string): Promise<string | undefined> {
    const { rows } = await db.query<{ id_pe: string }>(
      'DELETE FROM pairings x USING patients p WHERE p.id = x.patient_id AND p.label = $1 AND x.client_id = $2 RETURNING x.id_pe',
      [label, clientId],
    );
    return rows[0]?.id_pe;
  },

  async pairings(db: Queryable, clientId: string): Promise<Array<Omit<Pairing, 'created'>>> {
    const { rows } = await db.query<{ label: string; oid: string; id_pe: string }>(
      'SELECT p.label, x.oid, x.id_pe FROM pairings x JOIN patients p ON p.id = x.patient_id WHERE x.client_id = $1 ORDER BY x.created_at, p.label',
      [clientId],
    );
    return rows.map((r) => ({ patient: r.label, oid: r.oid, idPe: r.id_pe }));
  },

  /** The patient the app calls `urn:oid:<oid>|<idPe>`, if the app is paired with them. */
  async patientOf(db: Queryable, clientId: string, system: string, idPe: string): Promise<string | undefined> {
    if (!system.startsWith('urn:oid:')) return undefined;
    const { rows } = await db.query<{ patient_id: string }>('SELECT patient_id FROM pairings WHERE client_id = $1 AND oid = $2 AND id_pe = $3', [
      clientId,
      system.slice('urn:oid:'.length),
      idPe,
    ]);
    return rows[0]?.patient_id;
  },

  /** Patients the app is paired with: what it may read (with a pairing's token, that patient only). */
  async visiblePatients(db: Queryable, caller: Caller): Promise<string[]> {
    const { rows } = caller.pairing
      ? await db.query<{ patient_id: string }>('SELECT patient_id FROM pairings WHERE client_id = $1 AND id_pe = $2', [caller.clientId, caller.pairing.idPe])
      : await db.query<{ patient_id: string }>('SELECT patient_id FROM pairings WHERE client_id = $1', [caller.clientId]);
    return rows.map((r) => r.patient_id);
  },

  /** The idPe under which the app knows a patient (to write it into resources it reads). */
  async idPeOf(db: Queryable, clientId: string, patientId: string): Promise<{ oid: string; idPe: string } | undefined> {
    const { rows } = await db.query<{ oid: string; id_pe: string }>('SELECT oid, id_pe FROM pairings WHERE client_id = $1 AND patient_id = $2', [
      clientId,
      patientId,
    ]);
    return rows[0] && { oid: rows[0].oid, idPe: rows[0].id_pe };
  },

  async insert(db: Queryable, r: NewResource): Promise<StoredResource> {
    const id = randomUUID();
    const lastUpdated = new Date().toISOString();
    const content = { ...r.content, id, meta: { ...(r.content.meta as Json | undefined), versionId: '1', lastUpdated } };
    const columns = await contentColumns(db, { type: r.type, id, version: 1 }, content);
    await storeContent(db, columns, () =>
      db.query(
        'INSERT INTO resources (type, id, version, last_updated, patient_id, owner_client, code, effective, identifiers, content, content_file) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)',
        [r.type, id, lastUpdated, r.patientId, r.owner, r.code ?? null, r.effective ?? null, r.identifiers ?? [], columns.json, columns.file],
      ),
    );
    return { type: r.type, id, version: 1, lastUpdated, patientId: r.patientId, owner: r.owner, content };
  },

  /** Replaces the content of an existing resource with a new version. */
  async update(db: Queryable, current: StoredResource, r: NewResource): Promise<StoredResource> {
    const version = current.version + 1;
    const lastUpdated = new Date().toISOString();
    const content = { ...r.content, id: current.id, meta: { ...(r.content.meta as Json | undefined), versionId: String(version), lastUpdated } };
    const columns = await contentColumns(db, { type: current.type, id: current.id, version }, content);
    let former: string | null = null;
    await storeContent(db, columns, async () => {
      const { rows } = await db.query<{ content_file: string | null }>(
        'UPDATE resources x SET version = $3, last_updated = $4, patient_id = $5, code = $6, effective = $7, identifiers = $8, content = $9::jsonb, content_file = $10 FROM (SELECT content_file FROM resources WHERE type = $1 AND id = $2 FOR UPDATE) AS old WHERE x.type = $1 AND x.id = $2 RETURNING old.content_file',
        [current.type, current.id, version, lastUpdated, r.patientId, r.code ?? null, r.effective ?? null, r.identifiers ?? [], columns.json, columns.file],
      );
      former = rows[0]?.content_file ?? null;
    });
    if (former) await db.largeContents?.replace(former);
    return { ...current, version, lastUpdated, patientId: r.patientId, content };
  },

  async read(db: Queryable, type: string, id: string): Promise<StoredResource | undefined> {
    const { rows } = await db.query<Row>('SELECT * FROM resources WHERE type = $1 AND id = $2', [type, id]);
    return rows[0] && fromRow(db, rows[0]);
  },

  /** The app's resource of this type carrying `system|value` among its identifiers. */
  async findByIdentifier(db: Queryable, type: string, owner: string, identifier: string): Promise<StoredResource | undefined> {
    const { rows } = await db.query<Row>(
      'SELECT * FROM resources WHERE type = $1 AND owner_client = $2 AND $3 = ANY (identifiers) ORDER BY last_updated LIMIT 1',
      [type, owner, identifier],
    );
    return rows[0] && fromRow(db, rows[0]);
  },

  /** Serialises concurrent conditional creates of the same key inside a transaction. */
  async lock(db: Queryable, key: string): Promise<void> {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  },

  async search(
    db: Queryable,
    q: {
      type: string;
      patientId: string;
      codes?: string[];
      statuses?: string[];
      from?: string;
      to?: string;
      descending: boolean;
      limit: number;
      offset: number;
    },
  ): Promise<{ total: number; rows: StoredResource[] }> {
    const where = ['type = $1', 'patient_id = $2'];
    const params: unknown[] = [q.type, q.patientId];
    if (q.codes?.length) {
      params.push(q.codes);
      where.push(`code = ANY ($${params.length})`);
    }
    if (q.statuses?.length) {
      params.push(q.statuses);
      where.push(`content->>'status' = ANY ($${params.length})`);
    }
    if (q.from) {
      params.push(q.from);
      where.push(`effective >= $${params.length}`);
    }
    if (q.to) {
      params.push(q.to);
      where.push(`effective <= $${params.length}`);
    }
    const clause = where.join(' AND ');
    const total = Number((await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM resources WHERE ${clause}`, params)).rows[0]!.n);
    const order = q.descending ? 'effective DESC NULLS LAST, id' : 'effective ASC NULLS LAST, id';
    const { rows } = await db.query<Row>(`SELECT * FROM resources WHERE ${clause} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`, params);
    return { total, rows: await Promise.all(rows.map((r) => fromRow(db, r))) };
  },

  // Document bytes cross to the database as base64 text, decoded and encoded by PostgreSQL itself:
  // PGlite writes a bytea parameter as hex built one byte at a time in JavaScript, and reads one
  // back with a parseInt per byte, seconds of its only thread for a few MB (scripts/PERFORMANCE.md).

  async insertBinary(db: Queryable, patientId: string, contentType: string, data: Uint8Array): Promise<string> {
    const id = randomUUID();
    await db.query("INSERT INTO binaries (id, patient_id, content_type, data) VALUES ($1, $2, $3, decode($4, 'base64'))", [
      id,
      patientId,
      contentType,
      Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    ]);
    return id;
  },

  /** The patient of a Binary, without reading its bytes. */
  async binaryPatientOf(db: Queryable, id: string): Promise<string | undefined> {
    const { rows } = await db.query<{ patient_id: string }>('SELECT patient_id FROM binaries WHERE id = $1', [id]);
    return rows[0]?.patient_id;
  },

  async readBinary(db: Queryable, id: string): Promise<{ patientId: string; contentType: string; data: Uint8Array } | undefined> {
    const { rows } = await db.query<{ patient_id: string; content_type: string; data: string }>(
      "SELECT patient_id, content_type, encode(data, 'base64') AS data FROM binaries WHERE id = $1",
      [id],
    );
    // PostgreSQL breaks base64 into lines of 76 characters, which Node's decoder skips
    return rows[0] && { patientId: rows[0].patient_id, contentType: rows[0].content_type, data: new Uint8Array(Buffer.from(rows[0].data, 'base64')) };
  },
};
