import type { Database, Queryable } from './database.js';
import type { SandboxApp } from './apps.js';
import { FhirError } from './fhir.js';
import { store, type StoredResource } from './store.js';

/**
 * A resource the app may read: one of its paired patients' (any app may have written it), or a
 * Device it created. Anything else is 404, with no hint that it exists.
 */
export async function readVisible(db: Database, app: SandboxApp, type: string, id: string): Promise<StoredResource> {
  const r = await store.read(db, type, id);
  if (!r || !isVisible(r, app, r.patientId ? await store.visiblePatients(db, app.clientId) : []))
    throw FhirError.of(404, 'not-found', `${type}/${id} is not known`);
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
export async function pairedPatient(db: Queryable, app: SandboxApp, system: string, value: string, expression?: string): Promise<string> {
  const patientId = await store.patientOf(db, app.clientId, system, value);
  if (!patientId)
    throw FhirError.of(
      403,
      'forbidden',
      `No patient paired with this application is identified by ${system}|${value} (idPe mismatch or no consent)`,
      expression,
    );
  return patientId;
}
