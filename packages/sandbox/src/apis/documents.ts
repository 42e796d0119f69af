import type { Database, Queryable } from '../database.js';
import type { SandboxApp } from '../apps.js';
import { isObject, type Json } from '@mes-fhir/core';
import { FhirError, instantOf } from '../fhir.js';
import { asSeenBy, checkParameters, paging, searchsetBundle, single, tokenIdentifier, type Query } from '../search.js';
import { store, type StoredResource } from '../store.js';
import { validationIssues, type Validation } from '../validation.js';
import { checkStoredReferences, pairedPatient, storedReferences, searchedPatient } from '../access.js';
import type { MesApi } from './api.js';
import { documentsScenarios } from './documents-scenarios.js';

export const DOCUMENT_PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-documentreference';
export const PROVIDE_BUNDLE_PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-provide-document';
export const DOCUMENT_SEARCH_PARAMETERS = ['patient.identifier', 'status', 'type', '_count', '_offset'];

type Entry = { fullUrl?: string; resource: Json; request?: Json };

function firstTypeCode(d: Json): string | undefined {
  const coding = ((d.type as Json | undefined)?.coding as Json[] | undefined)?.[0];
  return typeof coding?.code === 'string' ? coding.code : undefined;
}

async function patientOfSubject(db: Queryable, app: SandboxApp, r: Json, where: string): Promise<string> {
  const id = (r.subject as Json | undefined)?.identifier as Json | undefined;
  if (!isObject(id)) throw FhirError.of(422, 'required', `${where}.subject.identifier is mandatory (urn:oid:<OID>|<idPe>)`, `${where}.subject.identifier`);
  return pairedPatient(db, app, String(id.system ?? ''), String(id.value ?? ''), `${where}.subject.identifier`);
}

function decodeBase64(data: unknown): Uint8Array {
  return typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'base64')) : new Uint8Array();
}

function storeDocument(tx: Queryable, app: SandboxApp, patientId: string, d: Json): Promise<StoredResource> {
  return store.insert(tx, { type: 'DocumentReference', patientId, owner: app.clientId, code: firstTypeCode(d), effective: instantOf(d.date), content: d });
}

/**
 * ITI-105 (simplified publish): POST of a DocumentReference carrying its CDA inline. The bytes
 * are kept as a Binary; the stored DocumentReference points at it (attachment.url), as ITI-67
 * answers show it.
 */
export async function publishDocument(db: Database, validation: Validation, app: SandboxApp, body: unknown, base: string): Promise<StoredResource> {
  if (!isObject(body) || body.resourceType !== 'DocumentReference') throw FhirError.of(400, 'invalid', 'The body must be a DocumentReference');
  const issues = await validationIssues(validation, body, DOCUMENT_PROFILE);
  if (issues.length) throw new FhirError(422, issues);
  const patientId = await patientOfSubject(db, app, body, 'DocumentReference');
  await checkStoredReferences(db, app, patientId, storedReferences(body, 'DocumentReference', base));
  return db.transaction(async (tx) => {
    const doc = structuredClone(body);
    delete doc.id;
    for (const c of (doc.content as Json[]) ?? []) {
      const attachment = c.attachment as Json;
      if (attachment.data === undefined) continue;
      const binaryId = await store.insertBinary(tx, patientId, String(attachment.contentType ?? 'application/octet-stream'), decodeBase64(attachment.data));
      delete attachment.data;
      attachment.url = `Binary/${binaryId}`;
    }
    return storeDocument(tx, app, patientId, doc);
  });
}

/**
 * ITI-65 (provide document bundle): the List, the DocumentReferences and their Binaries, stored
 * in one transaction; references between entries are rewritten to the stored ids.
 */
export async function acceptProvideBundle(db: Database, validation: Validation, app: SandboxApp, bundle: Json, base: string): Promise<Json> {
  const issues = await validationIssues(validation, bundle, PROVIDE_BUNDLE_PROFILE);
  if (issues.length) throw new FhirError(422, issues);
  const entries = bundle.entry as Entry[];
  const documents = entries.filter((e) => e.resource.resourceType === 'DocumentReference');
  let patientId: string | undefined;
  for (const [i, e] of entries.entries()) {
    if (e.resource.resourceType === 'Binary') continue;
    const p = await patientOfSubject(db, app, e.resource, `Bundle.entry[${i}].resource`);
    if (patientId && p !== patientId) throw FhirError.of(422, 'business-rule', 'Every entry of the Bundle must concern the same patient');
    patientId = p;
  }
  if (!patientId || documents.length === 0) throw FhirError.of(422, 'required', 'The Bundle must carry at least one DocumentReference');
  const patient = patientId;
  // references between entries resolve within the Bundle; any other must name what the app may read
  const inBundle = new Set(entries.flatMap((e) => [e.fullUrl, typeof e.resource.id === 'string' ? `${e.resource.resourceType}/${e.resource.id}` : undefined]));
  await checkStoredReferences(
    db,
    app,
    patient,
    entries.flatMap((e, i) => storedReferences(e.resource, `Bundle.entry[${i}].resource`, base)),
    (reference) => inBundle.has(reference),
  );

  return db.transaction(async (tx) => {
    const stored = new Map<Entry, StoredResource | { type: 'Binary'; id: string; version: 1; lastUpdated: string }>();
    const refs = new Map<string, string>();
    for (const e of entries) {
      if (e.resource.resourceType !== 'Binary') continue;
      const id = await store.insertBinary(tx, patient, String(e.resource.contentType ?? 'application/octet-stream'), decodeBase64(e.resource.data));
      stored.set(e, { type: 'Binary', id, version: 1, lastUpdated: new Date().toISOString() });
      if (e.fullUrl) refs.set(e.fullUrl, `Binary/${id}`);
    }
    for (const e of documents) {
      const doc = structuredClone(e.resource);
      delete doc.id;
      for (const c of (doc.content as Json[]) ?? []) {
        const attachment = c.attachment as Json;
        if (typeof attachment.url === 'string' && refs.has(attachment.url)) attachment.url = refs.get(attachment.url);
      }
      const s = await storeDocument(tx, app, patient, doc);
      stored.set(e, s);
      if (e.fullUrl) refs.set(e.fullUrl, `DocumentReference/${s.id}`);
    }
    for (const e of entries) {
      if (e.resource.resourceType === 'Binary' || e.resource.resourceType === 'DocumentReference') continue;
      const r = structuredClone(e.resource);
      delete r.id;
      for (const item of (r.entry as Json[] | undefined) ?? []) {
        const ref = (item.item as Json | undefined)?.reference;
        if (typeof ref === 'string' && refs.has(ref)) (item.item as Json).reference = refs.get(ref);
      }
      stored.set(e, await store.insert(tx, { type: String(r.resourceType), patientId: patient, owner: app.clientId, content: r }));
    }
    return {
      resourceType: 'Bundle',
      type: 'transaction-response',
      link: [{ relation: 'self', url: base }],
      entry: entries.map((e) => {
        const s = stored.get(e)!;
        return {
          response: { status: '201 Created', location: `${s.type}/${s.id}/_history/${s.version}`, etag: `W/"${s.version}"`, lastModified: s.lastUpdated },
        };
      }),
    };
  });
}

/** A DocumentReference as returned: attachment urls made absolute, so ITI-68 can fetch them. */
export function withAbsoluteUrls(doc: Json, base: string): Json {
  for (const c of (doc.content as Json[] | undefined) ?? []) {
    const attachment = c.attachment as Json | undefined;
    if (attachment && typeof attachment.url === 'string' && attachment.url.startsWith('Binary/')) attachment.url = `${base}/${attachment.url}`;
  }
  return doc;
}

/** ITI-67: `GET DocumentReference?patient.identifier=<OID|idPe>[&status=current][&type=<code>]`. */
export async function searchDocuments(db: Database, app: SandboxApp, query: Query, base: string): Promise<Json> {
  checkParameters(query, DOCUMENT_SEARCH_PARAMETERS);
  const who = tokenIdentifier(query, 'patient.identifier');
  const status = single(query, 'status');
  const type = single(query, 'type');
  const { count, page } = paging(query);
  const { patientId, pairing } = await searchedPatient(db, app, who);
  const found = await store.search(db, {
    type: 'DocumentReference',
    patientId,
    codes: type ? type.split(',').map((t) => t.slice(t.indexOf('|') + 1)) : undefined,
    statuses: status ? status.split(',') : undefined,
    descending: true,
    limit: count,
    offset: page * count,
  });
  return searchsetBundle({
    base,
    path: 'DocumentReference',
    query,
    total: found.total,
    count,
    page,
    matches: found.rows.map((r) => withAbsoluteUrls(asSeenBy(r, pairing), base)),
  });
}

/** ITI-68: the document bytes of a Binary of one of the app's patients. */
export async function readBinary(db: Database, app: SandboxApp, id: string): Promise<{ contentType: string; data: Uint8Array }> {
  const b = await store.readBinary(db, id);
  if (!b || !(await store.visiblePatients(db, app)).includes(b.patientId)) throw FhirError.of(404, 'not-found', `Binary/${id} is not known`);
  return b;
}

/**
 * API Documents (PDSm, on IHE MHD): ITI-105 (`POST /DocumentReference`), ITI-65 (the provide-document
 * Bundle at `POST [base]`: a transaction Bundle with a DocumentReference), ITI-67 and ITI-68.
 */
export const documents: MesApi = {
  name: 'Documents',
  capability: () => [
    {
      type: 'DocumentReference',
      supportedProfile: [DOCUMENT_PROFILE],
      interaction: ['create', 'read', 'search-type'],
      searchParam: DOCUMENT_SEARCH_PARAMETERS,
    },
    { type: 'Binary', supportedProfile: [], interaction: ['read'] },
    { type: 'Bundle', supportedProfile: [PROVIDE_BUNDLE_PROFILE], interaction: [] },
  ],
  transaction: {
    claims: (bundle) =>
      Array.isArray(bundle.entry) && bundle.entry.some((e) => isObject(e) && isObject(e.resource) && e.resource.resourceType === 'DocumentReference'),
    accept: (ctx, app, bundle, base) => acceptProvideBundle(ctx.db, ctx.validation, app, bundle, base),
  },
  seedTypes: ['Bundle', 'DocumentReference'],
  scenarios: () => documentsScenarios,
  routes(fhir, ctx) {
    ctx.read('DocumentReference', (r, req) => withAbsoluteUrls(r, ctx.base(req)));
    fhir.get('/DocumentReference', async (req, reply) =>
      ctx.send(reply, 200, await searchDocuments(ctx.db, ctx.appOf(req), req.query as Query, ctx.base(req))),
    );
    fhir.post('/DocumentReference', async (req, reply) => {
      const r = await publishDocument(ctx.db, ctx.validation, ctx.appOf(req), req.body, ctx.base(req));
      return ctx.created(reply, { ...r, content: withAbsoluteUrls(structuredClone(r.content), ctx.base(req)) }, 201, req);
    });
    fhir.get<{ Params: { id: string } }>('/Binary/:id', async (req, reply) => {
      const b = await readBinary(ctx.db, ctx.appOf(req), req.params.id);
      if (/application\/(fhir\+)?json/.test(req.headers.accept ?? '')) {
        return ctx.send(reply, 200, { resourceType: 'Binary', id: req.params.id, contentType: b.contentType, data: Buffer.from(b.data).toString('base64') });
      }
      return reply.code(200).type(b.contentType).send(Buffer.from(b.data));
    });
  },
};
