import { isObject, type Issue, type Json } from '@mes-fhir/core';
import type { Database, Queryable } from './database.js';
import type { Caller, SandboxApp } from './apps.js';
import { FhirError } from './fhir.js';
import { store, type StoredResource } from './store.js';

/**
 * A resource the app may read: one of its paired patients' (any app may have written it), or a
 * Device it created. Anything else is 404, with no hint that it exists.
 */
export async function readVisible(db: Database, app: SandboxApp, type: string, id: string): Promise<StoredResource> {
  const r = await store.read(db, type, id);
  if (!r || !isVisible(r, app, r.patientId ? await store.visiblePatients(db, app) : [])) throw FhirError.of(404, 'not-found', `${type}/${id} is not known`);
  return r;
}

/** Whether the app may read a stored resource: one of its paired patients' (`visiblePatients`), or one it owns that has no patient (a Device). */
export function isVisible(r: StoredResource, app: SandboxApp, visiblePatients: string[]): boolean {
  return r.patientId ? visiblePatients.includes(r.patientId) : r.owner === app.clientId;
}

/**
 * The patient the app calls `<system>|<value>` (system `urn:oid:<OID>`), or 403 as MES answers an
 * idPe that does not match the app's pairings.
 */
export async function pairedPatient(db: Queryable, app: Caller, system: string, value: string, expression?: string): Promise<string> {
  // a pairing's token speaks for its patient only
  const patientId = app.pairing && value !== app.pairing.idPe ? undefined : await store.patientOf(db, app.clientId, system, value);
  if (!patientId)
    throw FhirError.of(
      403,
      'forbidden',
      `No patient paired with this application is identified by ${system}|${value} (idPe mismatch or no consent)`,
      expression,
    );
  return patientId;
}

/**
 * The patient a search names (`urn:oid:<OID>|<idPe>`, 403 when the app is not paired with it) and
 * the pairing its results are shown under (each app sees its own idPe).
 */
export async function searchedPatient(
  db: Queryable,
  app: SandboxApp,
  who: { system: string; value: string },
): Promise<{ patientId: string; pairing: { oid: string; idPe: string } }> {
  const patientId = await pairedPatient(db, app, who.system, who.value);
  return { patientId, pairing: { oid: who.system.slice('urn:oid:'.length), idPe: who.value } };
}

/** A reference to a resource of the sandbox: `Type/id`, optionally `/_history/<version>`. */
const STORED_REFERENCE = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Most references to stored resources one request may make: each costs a read. */
export const MAX_STORED_REFERENCES = 100;

/**
 * The references a resource makes to the sandbox's own resources, with their locations:
 * `Reference.reference` and `Attachment.url` of the form `Type/id` or `<base>/Type/id`.
 * Contained (`#…`), `urn:` and other servers' references are not the sandbox's.
 */
export function storedReferences(resource: Json, at: string, base: string): Array<{ reference: string; type: string; id: string; location: string }> {
  const found: Array<{ reference: string; type: string; id: string; location: string }> = [];
  const stack: Array<[unknown, string, string]> = [[resource, at, '']];
  while (stack.length) {
    const [value, path, key] = stack.pop()!;
    // only objects can hold a reference: a long list of strings (200,000 meta.profile values) costs no path string each
    if (Array.isArray(value)) value.forEach((v, i) => typeof v === 'object' && v !== null && stack.push([v, `${path}[${i}]`, key]));
    else if (isObject(value))
      for (const [k, v] of Object.entries(value)) {
        const field = k === 'reference' || (k === 'url' && key === 'attachment');
        const local = typeof v === 'string' && field ? (v.startsWith(`${base}/`) ? v.slice(base.length + 1) : v) : undefined;
        const match = local !== undefined ? STORED_REFERENCE.exec(local) : null;
        if (match) found.push({ reference: v as string, type: match[1]!, id: match[2]!, location: `${path}.${k}` });
        else if (typeof v === 'object') stack.push([v, `${path}.${k}`, k]);
      }
  }
  return found.reverse();
}

/**
 * Every reference a written resource makes to a stored resource must name one the app may read,
 * of the same patient (or of none: a Device): else 422, worded alike whether the target exists or
 * not (no hint of another app's data). `inRequest` tells references resolved within the request
 * itself (a Bundle's other entries).
 */
export async function checkStoredReferences(
  db: Queryable,
  app: SandboxApp,
  patientId: string,
  references: Array<{ reference: string; type: string; id: string; location: string }>,
  inRequest: (reference: string) => boolean = () => false,
): Promise<void> {
  const toCheck = references.filter((r) => !inRequest(r.reference));
  if (new Set(toCheck.map((r) => `${r.type}/${r.id}`)).size > MAX_STORED_REFERENCES)
    throw FhirError.of(422, 'too-costly', `At most ${MAX_STORED_REFERENCES} references to stored resources per request`);
  const visible = await store.visiblePatients(db, app);
  const verdicts = new Map<string, boolean>();
  const issues: Issue[] = [];
  for (const r of toCheck) {
    const key = `${r.type}/${r.id}`;
    if (!verdicts.has(key)) {
      const owner = await readablePatientOf(db, app, visible, r.type, r.id);
      verdicts.set(key, owner !== undefined && (owner === null || owner === patientId));
    }
    if (!verdicts.get(key))
      issues.push({
        severity: 'error',
        code: 'business-rule',
        location: r.location,
        message: `${r.reference} is not a resource of this patient that this application may read`,
        id: 'reference-not-visible',
      });
  }
  if (issues.length) throw new FhirError(422, issues);
}

/** The patient of a stored resource the app may read (null: one of its Devices), undefined when it may not. */
async function readablePatientOf(db: Queryable, app: SandboxApp, visible: string[], type: string, id: string): Promise<string | null | undefined> {
  // document bytes live apart from resources; a Binary always has a patient
  if (type === 'Binary') {
    const patient = await store.binaryPatientOf(db, id);
    return patient && visible.includes(patient) ? patient : undefined;
  }
  const r = await store.read(db, type, id);
  return r && isVisible(r, app, visible) ? r.patientId : undefined;
}
