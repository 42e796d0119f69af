import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkApps, type SandboxApp } from './apps.js';
import type { Database } from './database.js';
import { isObject, type Json } from '@mes-fhir/core';
import { store } from './store.js';
import { APIS } from './apis/index.js';

/** What a seed file may hold: the resource types the APIs load (each API says which). */
const SEED_TYPES = [...new Set(APIS.flatMap((api) => api.seedTypes))].sort();

/** `sandbox.json`: the registered apps and, optionally, pairings with fixed idPe (for seeds and examples). */
export interface SandboxConfig {
  apps: SandboxApp[];
  pairings: Array<{ clientId: string; patient: string; idPe: string }>;
}

export const CONFIG_FILE = 'sandbox.json';

export function readConfig(file: string): SandboxConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const apps = checkApps(json, file);
  const raw = (json as { pairings?: unknown }).pairings ?? [];
  if (!Array.isArray(raw)) throw new Error(`${file}: pairings must be a list`);
  const pairings = raw.map((p: Record<string, unknown>, i) => {
    for (const key of ['clientId', 'patient', 'idPe']) {
      if (typeof p?.[key] !== 'string' || !(p[key] as string).trim()) throw new Error(`${file}: pairings[${i}].${key} must be a non-empty string`);
    }
    if (!apps.some((a) => a.clientId === p.clientId)) throw new Error(`${file}: pairings[${i}].clientId "${String(p.clientId)}" is not one of the apps`);
    return { clientId: p.clientId as string, patient: p.patient as string, idPe: p.idPe as string };
  });
  return { apps, pairings };
}

/** Creates the configured pairings (idempotent). */
export async function applyPairings(db: Database, config: SandboxConfig): Promise<void> {
  for (const p of config.pairings) {
    const app = config.apps.find((a) => a.clientId === p.clientId)!;
    const made = await store.pair(db, app.clientId, app.oid, p.patient, p.idPe);
    if (made.idPe !== p.idPe) throw new Error(`${CONFIG_FILE}: ${p.clientId} is already paired with ${p.patient} as ${made.idPe}, not ${p.idPe}`);
  }
}

/** A seed file: the POST that loads it (path, body) and the app that sends it. */
export interface SeedRequest {
  file: string;
  digest: string;
  path: string;
  body: Json;
  clientId: string;
}

/** The patient identifier system (`urn:oid:<OID>`) a seed resource names, to find its app. */
function patientSystem(r: Json): string | undefined {
  const fromSubject = (x: Json) => ((x.subject as Json | undefined)?.identifier as Json | undefined)?.system;
  if (r.resourceType === 'Bundle') {
    for (const e of (r.entry as Json[] | undefined) ?? []) {
      const s = isObject(e?.resource) ? fromSubject(e.resource) : undefined;
      if (typeof s === 'string') return s;
    }
    return undefined;
  }
  if (r.resourceType === 'Appointment') {
    const p = ((r.participant as Json[] | undefined) ?? []).find((x) => (x.actor as Json | undefined)?.type === 'Patient');
    return ((p?.actor as Json | undefined)?.identifier as Json | undefined)?.system as string | undefined;
  }
  const s = fromSubject(r);
  return typeof s === 'string' ? s : undefined;
}

/**
 * The seed folder's FHIR files (every `*.json` but sandbox.json, by name), each as the request
 * that loads it: transaction Bundles to POST [base], Appointments and DocumentReferences to their
 * type, sent by the app whose OID names the patient. Files already loaded are skipped.
 */
export async function seedRequests(db: Database, folder: string, apps: SandboxApp[]): Promise<SeedRequest[]> {
  if (!existsSync(folder)) throw new Error(`seed folder ${folder} does not exist`);
  const requests: SeedRequest[] = [];
  for (const name of readdirSync(folder)
    .filter((f) => f.endsWith('.json') && f !== CONFIG_FILE)
    .sort()) {
    const file = join(folder, name);
    const text = readFileSync(file, 'utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    if (!isObject(body) || !SEED_TYPES.includes(String(body.resourceType))) {
      throw new Error(`${file}: a seed is one of ${SEED_TYPES.join(', ')} (a Bundle is a transaction Bundle)`);
    }
    const system = patientSystem(body);
    const app = apps.find((a) => system === `urn:oid:${a.oid}`);
    if (!app) throw new Error(`${file}: its patient identifier system (${system ?? 'none'}) is not urn:oid:<OID> of a registered app`);
    const digest = createHash('sha256').update(text).digest('hex');
    const done = await db.query('SELECT 1 FROM settings WHERE key = $1', [`seed:${name}:${digest}`]);
    if (done.rows.length) continue;
    requests.push({ file: name, digest, path: body.resourceType === 'Bundle' ? '/' : `/${body.resourceType}`, body, clientId: app.clientId });
  }
  return requests;
}

export async function markSeeded(db: Database, r: SeedRequest): Promise<void> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [`seed:${r.file}:${r.digest}`, new Date().toISOString()]);
}
