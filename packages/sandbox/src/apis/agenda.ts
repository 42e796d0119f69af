import type { Database } from '../database.js';
import type { SandboxApp } from '../apps.js';
import { isObject, type Json } from '@mes-fhir/core';
import { FhirError, instantOf } from '../fhir.js';
import { asSeenBy, checkParameters, dateBounds, all, paging, searchsetBundle, single, tokenIdentifier, type Query } from '../search.js';
import { store, type StoredResource } from '../store.js';
import { validationIssues, type Validation } from '../validation.js';
import { checkStoredReferences, pairedPatient, readVisible, storedReferences, searchedPatient } from '../access.js';
import type { MesApi } from './api.js';
import { agendaScenarios } from './agenda-scenarios.js';

export const APPOINTMENT_PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-appointment';
export const APPOINTMENT_SEARCH_PARAMETERS = ['patient.identifier', 'date', 'status', '_count', '_offset'];

/** The patient participant's identifier of an Appointment. */
function patientIdentifier(a: Json): { system: string; value: string } | undefined {
  const participants = Array.isArray(a.participant) ? a.participant : [];
  for (const p of participants) {
    const actor = isObject(p) ? (p.actor as Json | undefined) : undefined;
    const id = actor?.type === 'Patient' && isObject(actor.identifier) ? actor.identifier : undefined;
    if (id && typeof id.system === 'string' && typeof id.value === 'string') return { system: id.system, value: id.value };
  }
  return undefined;
}

/** Validates an Appointment against the MES profile and finds its (paired) patient. */
async function checkAppointment(
  db: Database,
  validation: Validation,
  app: SandboxApp,
  body: unknown,
  base: string,
): Promise<{ appointment: Json; patientId: string }> {
  if (!isObject(body) || body.resourceType !== 'Appointment') throw FhirError.of(400, 'invalid', 'The body must be an Appointment');
  const issues = await validationIssues(validation, body, APPOINTMENT_PROFILE);
  if (issues.length) throw new FhirError(422, issues);
  const who = patientIdentifier(body);
  if (!who)
    throw FhirError.of(422, 'required', 'The Appointment must have a Patient participant identified by urn:oid:<OID>|<idPe>', 'Appointment.participant');
  const patientId = await pairedPatient(db, app, who.system, who.value, 'Appointment.participant.actor.identifier');
  await checkStoredReferences(db, app, patientId, storedReferences(body, 'Appointment', base));
  return { appointment: body, patientId };
}

function indexed(app: SandboxApp, patientId: string, a: Json) {
  return { type: 'Appointment', patientId, owner: app.clientId, effective: instantOf(a.start), content: a };
}

export async function createAppointment(db: Database, validation: Validation, app: SandboxApp, body: unknown, base: string): Promise<StoredResource> {
  const { appointment, patientId } = await checkAppointment(db, validation, app, body, base);
  const { id: _ignored, ...content } = appointment;
  return store.insert(db, indexed(app, patientId, content));
}

/** PUT: a new version of an appointment of one of the app's patients (404 for any other). */
export async function updateAppointment(
  db: Database,
  validation: Validation,
  app: SandboxApp,
  id: string,
  body: unknown,
  base: string,
): Promise<StoredResource> {
  if (isObject(body) && body.id !== id)
    throw FhirError.of(400, 'invalid', `The Appointment's id (${String(body.id)}) must be the id of the URL (${id})`, 'Appointment.id');
  const current = await readVisible(db, app, 'Appointment', id);
  const { appointment, patientId } = await checkAppointment(db, validation, app, body, base);
  return store.update(db, current, indexed(app, patientId, appointment));
}

/** `GET Appointment?patient.identifier=<OID|idPe>[&date=ge…][&status=…]`, ordered by start. */
export async function searchAppointments(db: Database, app: SandboxApp, query: Query, base: string): Promise<Json> {
  checkParameters(query, APPOINTMENT_SEARCH_PARAMETERS);
  const who = tokenIdentifier(query, 'patient.identifier');
  const { from, to } = dateBounds(all(query, 'date'));
  const status = single(query, 'status');
  const { count, page } = paging(query);
  const { patientId, pairing } = await searchedPatient(db, app, who);
  const found = await store.search(db, {
    type: 'Appointment',
    patientId,
    statuses: status ? status.split(',') : undefined,
    from,
    to,
    descending: false,
    limit: count,
    offset: page * count,
  });
  return searchsetBundle({ base, path: 'Appointment', query, total: found.total, count, page, matches: found.rows.map((r) => asSeenBy(r, pairing)) });
}

/** API Agenda: Appointments created, updated, read and searched (the GAP profile of MES). */
export const agenda: MesApi = {
  name: 'Agenda',
  capability: () => [
    {
      type: 'Appointment',
      supportedProfile: [APPOINTMENT_PROFILE],
      interaction: ['create', 'update', 'read', 'search-type'],
      searchParam: APPOINTMENT_SEARCH_PARAMETERS,
    },
  ],
  seedTypes: ['Appointment'],
  scenarios: () => agendaScenarios,
  routes(fhir, ctx) {
    ctx.read('Appointment');
    fhir.get('/Appointment', async (req, reply) => ctx.send(reply, 200, await searchAppointments(ctx.db, ctx.appOf(req), req.query as Query, ctx.base(req))));
    fhir.post('/Appointment', async (req, reply) =>
      ctx.created(reply, await createAppointment(ctx.db, ctx.validation, ctx.appOf(req), req.body, ctx.base(req)), 201, req),
    );
    fhir.put<{ Params: { id: string } }>('/Appointment/:id', async (req, reply) =>
      ctx.created(reply, await updateAppointment(ctx.db, ctx.validation, ctx.appOf(req), req.params.id, req.body, ctx.base(req)), 200, req),
    );
  },
};
