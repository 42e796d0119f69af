import { requiredMetaProfile } from '@mes-fhir/profile-model';
import type { Database, Queryable } from '../database.js';
import { isObject, MES_MESURES_RULES as MES_RULES, type Issue, type IssueCode, type Json } from '@mes-fhir/core';
import type { Validator } from '@mes-fhir/validator';
import { FhirError, identifierKey, instantOf } from '../fhir.js';
import { store, type StoredResource } from '../store.js';
import type { SandboxApp } from '../apps.js';
import { validationIssues, type Validation } from '../validation.js';
import { checkStoredReferences, isVisible, pairedPatient, storedReferences, searchedPatient } from '../access.js';
import { all, asSeenBy, checkParameters, dateBounds, paging, searchsetBundle, single, tokenIdentifier, type Query } from '../search.js';
import type { MesApi } from './api.js';
import { mesuresScenarios } from './mesures-scenarios.js';

export const MES_MEASURE_BASE = 'https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/';
export const FEEDING_PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const EXT = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/';
const MOMENT = `${EXT}mesures-moment-of-measurement`;
const NUMBER_OF_DAYS = `${EXT}mesures-number-of-days`;
export const BMI = '39156-5';
const BLOOD_PRESSURE = '85354-9';
const WEIGHT = '29463-7';
const HEIGHT = '8302-2';
/** Glycaemia kinds, and the ones that take a moment of measurement or a number of days (MES rules): each is required there and refused on the others. */
export const GLUCOSE = new Set(['2345-7', '4548-4', 'MED-969', 'MED-972']);
const GLUCOSE_WITH_MOMENT = new Set(['2345-7']);
const GLUCOSE_WITH_DAYS = new Set(['MED-969', 'MED-972']);
const IF_NONE_EXIST = /^identifier=(urn:oid:[0-2](\.(0|[1-9][0-9]*))+\|.+)$/;

type Entry = { fullUrl?: unknown; resource?: unknown; request?: { method?: unknown; url?: unknown; ifNoneExist?: unknown } };

/** The main code of an Observation: its LOINC code, else its first code (glycaemia MED-*). */
export function observationCode(o: Json): string | undefined {
  const codings = ((o.code as Json | undefined)?.coding as Json[] | undefined) ?? [];
  const loinc = codings.find((c) => c.system === LOINC && typeof c.code === 'string');
  const first = loinc ?? codings.find((c) => typeof c.code === 'string');
  return first?.code as string | undefined;
}

function hasExtension(o: Json, url: string): boolean {
  return Array.isArray(o.extension) && o.extension.some((e) => isObject(e) && e.url === url);
}

/** The issue of one MES rule, worded as MES answers it. */
function mesIssue(id: keyof typeof MES_RULES, location: string, detail = ''): Issue {
  const rule: { code: IssueCode; text: string; key?: string } = MES_RULES[id];
  return { severity: 'error', code: rule.code, location, message: rule.text + detail, id, ...(rule.key ? { key: rule.key } : {}) };
}

/**
 * The rules MES applies to a feeding Bundle, with the messages MES answers (HTTP 422). The
 * validator checks the profiles too; these come first, worded as MES words them.
 */
export function feedingRuleIssues(bundle: Json, app: SandboxApp): Issue[] {
  const issues: Issue[] = [];
  const add = (id: keyof typeof MES_RULES, location: string, detail = '') => issues.push(mesIssue(id, location, detail));
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []) as Entry[];
  const devices = entries.map((e, i) => ({ e, i })).filter(({ e }) => isObject(e?.resource) && (e.resource as Json).resourceType === 'Device');
  entries.forEach((e, i) => {
    if (!isObject(e) || !isObject(e.resource)) return;
    const r = e.resource as Json;
    const at = `Bundle.entry[${i}].resource`;
    const profiles = ((r.meta as Json | undefined)?.profile as unknown[] | undefined) ?? [];
    if (r.resourceType === 'Observation') {
      if (profiles.length === 0) add('mes-observation-meta-profile', `${at}.meta.profile`);
      const code = observationCode(r);
      if (code === BMI || profiles.some((p) => typeof p === 'string' && p.startsWith(`${MES_MEASURE_BASE}mes-observation-bmi`)))
        add('mes-bmi-not-creatable', at);
      if (!isObject((r.subject as Json | undefined)?.identifier)) add('mes-subject-identifier-mandatory', `${at}.subject.identifier`);
      if (code !== BLOOD_PRESSURE && !isObject(r.valueQuantity)) add('mes-value-quantity-missing', `${at}.valueQuantity`);
      if (devices.length > 0) {
        const reference = (r.device as Json | undefined)?.reference;
        if (typeof reference !== 'string') add('mes-device-reference-mandatory', `${at}.device.reference`);
        else if (!devices.some(({ e: d }) => reference === `Device/${(d.resource as Json).id}` || reference === d.fullUrl))
          add('mes-device-not-linked', `${at}.device.reference`);
      }
      if (code && GLUCOSE.has(code)) {
        const moment = hasExtension(r, MOMENT);
        const days = hasExtension(r, NUMBER_OF_DAYS);
        if (GLUCOSE_WITH_MOMENT.has(code) && !moment) add('mes-moment-mandatory', `${at}.extension`);
        if (!GLUCOSE_WITH_MOMENT.has(code) && moment) add('mes-moment-forbidden', `${at}.extension`);
        if (GLUCOSE_WITH_DAYS.has(code) && !days) add('mes-number-of-days-mandatory', `${at}.extension`);
        if (!GLUCOSE_WITH_DAYS.has(code) && days) add('mes-number-of-days-forbidden', `${at}.extension`);
      }
      const source = (r.meta as Json | undefined)?.source;
      if (typeof source === 'string' && !(source === `urn:oid:${app.oid}` || source.startsWith(`urn:oid:${app.oid}.`))) {
        add('mes-source-not-app-oid', `${at}.meta.source`, ` (${app.oid})`);
      }
    } else if (r.resourceType === 'Device') {
      const ifNoneExist = e.request?.ifNoneExist;
      const match = typeof ifNoneExist === 'string' ? IF_NONE_EXIST.exec(ifNoneExist) : null;
      const named = match && Array.isArray(r.identifier) && r.identifier.some((id) => identifierKey(id) === match[1]);
      if (!named) add('mes-if-none-exist-invalid', `Bundle.entry[${i}].request.ifNoneExist`);
      if (profiles.length === 0) add('mes-device-meta-profile', `${at}.meta.profile`);
    }
  });
  return issues;
}

/**
 * POST of a feeding Bundle: MES rules, profile validation, then every entry stored in one SQL
 * transaction (all or nothing). The Device is created only if the app has none with the
 * identifier named by ifNoneExist; the Observation then points at the stored Device.
 */
export async function acceptFeedingBundle(db: Database, validation: Validation, app: SandboxApp, bundle: Json, base: string): Promise<Json> {
  const rules = feedingRuleIssues(bundle, app);
  const issues = [...rules, ...(await validationIssues(validation, bundle, FEEDING_PROFILE, rules))];
  if (issues.some((i) => i.severity === 'error')) throw new FhirError(422, issues);

  const entries = bundle.entry as Entry[];
  const observationEntries = entries.filter((e) => (e.resource as Json).resourceType === 'Observation');
  const patientId = await patientFor(
    db,
    app,
    observationEntries.map((e) => e.resource as Json),
  );
  // references other than the device's (MES's own rule, checked when the Devices are stored) name what the app may read
  await checkStoredReferences(
    db,
    app,
    patientId,
    entries
      .flatMap((e, i) => storedReferences(e.resource as Json, `Bundle.entry[${i}].resource`, base))
      .filter((r) => !r.location.endsWith('.device.reference')),
  );

  return db.transaction(async (tx) => {
    const responses = new Map<Entry, { status: string; stored: StoredResource }>();
    const deviceRefs = new Map<string, string>();
    for (const e of entries) {
      const r = e.resource as Json;
      if (r.resourceType !== 'Device') continue;
      const key = IF_NONE_EXIST.exec(e.request!.ifNoneExist as string)![1]!;
      await store.lock(tx, `Device|${app.clientId}|${key}`);
      const existing = await store.findByIdentifier(tx, 'Device', app.clientId, key);
      const stored = existing ?? (await store.insert(tx, { type: 'Device', patientId: null, owner: app.clientId, identifiers: identifiersOf(r), content: r }));
      responses.set(e, { status: existing ? '200 OK' : '201 Created', stored });
      deviceRefs.set(`Device/${r.id}`, `Device/${stored.id}`);
      if (typeof e.fullUrl === 'string') deviceRefs.set(e.fullUrl, `Device/${stored.id}`);
    }
    for (const e of observationEntries) {
      // a copy of what changes (the device reference), not of the whole Observation
      const r = { ...(e.resource as Json) };
      const device = isObject(r.device) ? (r.device = { ...r.device }) : undefined;
      if (device && typeof device.reference === 'string') {
        if (deviceRefs.has(device.reference)) device.reference = deviceRefs.get(device.reference);
        // a Device not in the Bundle must be one this app created: another app's (or none) is not linked
        else if (!(await ownDevice(tx, app, device.reference)))
          throw new FhirError(422, [mesIssue('mes-device-not-linked', `Bundle.entry[${entries.indexOf(e)}].resource.device.reference`)]);
      }
      const stored = await storeObservation(tx, app.clientId, patientId, r);
      responses.set(e, { status: '201 Created', stored });
      const code = observationCode(r);
      if (code === WEIGHT || code === HEIGHT) await computeBmi(tx, app.clientId, patientId, stored);
    }
    return {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: entries.map((e) => {
        const { status, stored } = responses.get(e)!;
        return {
          response: {
            status,
            location: `${stored.type}/${stored.id}/_history/${stored.version}`,
            etag: `W/"${stored.version}"`,
            lastModified: stored.lastUpdated,
          },
        };
      }),
      link: [{ relation: 'self', url: base }],
    };
  });
}

function identifiersOf(r: Json): string[] {
  return (Array.isArray(r.identifier) ? r.identifier : []).map(identifierKey).filter((k): k is string => !!k);
}

/** The patient of the Observations: paired with the app under the identifier they carry (403 otherwise, as MES). */
async function patientFor(db: Queryable, app: SandboxApp, observations: Json[]): Promise<string> {
  let patient: string | undefined;
  for (const o of observations) {
    const identifier = (o.subject as Json).identifier as Json;
    const found = await pairedPatient(db, app, String(identifier.system ?? ''), String(identifier.value ?? ''), 'Observation.subject.identifier');
    if (patient && found !== patient) throw FhirError.of(422, 'business-rule', 'Every Observation of the Bundle must concern the same patient');
    patient = found;
  }
  return patient!;
}

function storeObservation(tx: Queryable, owner: string, patientId: string, r: Json): Promise<StoredResource> {
  return store.insert(tx, { type: 'Observation', patientId, owner, code: observationCode(r), effective: instantOf(r.effectiveDateTime), content: r });
}

/** kg from a weight Quantity, m from a height Quantity (UCUM codes the profiles allow). */
function inUnit(q: Json | undefined, factors: Record<string, number>): number | undefined {
  if (!q || typeof q.value !== 'number' || q.system !== UCUM || typeof q.code !== 'string') return undefined;
  const f = factors[q.code];
  return f === undefined ? undefined : q.value * f;
}

/**
 * MES computes the BMI, apps never send it: after a weight or a height is stored, the sandbox
 * derives a BMI from the patient's latest weight and latest height (when both exist), dated
 * like the newer of the two, as an Observation of the MES BMI profile.
 */
async function computeBmi(tx: Queryable, owner: string, patientId: string, trigger: StoredResource): Promise<void> {
  const latest = async (code: string) =>
    (await store.search(tx, { type: 'Observation', patientId, codes: [code], descending: true, limit: 1, offset: 0 })).rows[0];
  const weight = await latest(WEIGHT);
  const height = await latest(HEIGHT);
  if (!weight || !height || (trigger.id !== weight.id && trigger.id !== height.id)) return;
  const kg = inUnit(weight.content.valueQuantity as Json, { kg: 1, g: 0.001, '[lb_av]': 0.45359237 });
  const m = inUnit(height.content.valueQuantity as Json, { m: 1, cm: 0.01, '[in_i]': 0.0254 });
  if (!kg || !m) return;
  const dates = [weight.content.effectiveDateTime, height.content.effectiveDateTime].filter((d): d is string => typeof d === 'string');
  const effective = dates.sort((a, b) => (instantOf(a) ?? '').localeCompare(instantOf(b) ?? '')).at(-1);
  const bmi: Json = {
    resourceType: 'Observation',
    meta: { profile: [`${MES_MEASURE_BASE}mes-observation-bmi`] },
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: LOINC, code: BMI }] },
    subject: weight.content.subject,
    effectiveDateTime: effective,
    valueQuantity: { value: Math.round((kg / (m * m)) * 10) / 10, unit: 'kg/m2', system: UCUM, code: 'kg/m2' },
    derivedFrom: [{ reference: `Observation/${weight.id}` }, { reference: `Observation/${height.id}` }],
  };
  await storeObservation(tx, owner, patientId, bmi);
}

/** The parameters `GET Observation` accepts (any other is refused with 400). */
export const OBSERVATION_SEARCH_PARAMETERS = ['subject.identifier', 'code', 'date', '_sort', '_count', '_offset', '_include'];

/**
 * `GET Observation?subject.identifier=<OID|idPe>&code=<LOINC>` with a period (`date=ge…&date=le…`,
 * both bounds) or the last ones (`_sort=-date`), `_count`, `_offset` (page), `_include=Observation:device`.
 */
export async function searchObservations(db: Database, app: SandboxApp, query: Query, base: string): Promise<Json> {
  checkParameters(query, OBSERVATION_SEARCH_PARAMETERS);
  const subject = tokenIdentifier(query, 'subject.identifier');
  const codeParam = single(query, 'code');
  if (!codeParam) throw FhirError.of(400, 'required', 'Parameter code=<LOINC code> is required');
  const codes = codeParam
    .split(',')
    .map((c) => c.slice(c.indexOf('|') + 1))
    .filter(Boolean);
  const dates = all(query, 'date');
  const { from, to } = dateBounds(dates);
  const sort = single(query, '_sort');
  if (sort !== undefined && sort !== 'date' && sort !== '-date') throw FhirError.of(400, 'not-supported', '_sort supports date and -date');
  if (dates.length && (!from || !to)) throw FhirError.of(400, 'invalid', 'A period needs both bounds: date=ge<start>&date=le<end>');
  if (!dates.length && sort !== '-date')
    throw FhirError.of(400, 'required', 'Give a period (date=ge<start>&date=le<end>) or ask for the last measures (_sort=-date&_count=1)');
  const include = single(query, '_include');
  if (include !== undefined && include !== 'Observation:device') throw FhirError.of(400, 'not-supported', '_include supports Observation:device');
  const { count, page } = paging(query);

  const { patientId, pairing } = await searchedPatient(db, app, subject);
  const found = await store.search(db, { type: 'Observation', patientId, codes, from, to, descending: sort !== 'date', limit: count, offset: page * count });
  const includes: Json[] = [];
  if (include) {
    const seen = new Set<string>();
    for (const o of found.rows) {
      const ref = (o.content.device as Json | undefined)?.reference;
      if (typeof ref !== 'string' || !ref.startsWith('Device/') || seen.has(ref)) continue;
      seen.add(ref);
      // only a Device the app may read: another app's Device of a shared patient stays unseen, as its GET answers 404
      const device = await ownDevice(db, app, ref);
      if (device) includes.push(device.content);
    }
  }
  return searchsetBundle({ base, path: 'Observation', query, total: found.total, count, page, matches: found.rows.map((r) => asSeenBy(r, pairing)), includes });
}

/** The Device a reference `Device/<id>` names, when the app created it (the Devices an app may read). */
async function ownDevice(db: Queryable, app: SandboxApp, reference: string): Promise<StoredResource | undefined> {
  const id = /^Device\/([A-Za-z0-9\-.]{1,64})$/.exec(reference)?.[1];
  const device = id ? await store.read(db, 'Device', id) : undefined;
  return device && isVisible(device, app, []) ? device : undefined;
}

/** Our profiles of one type in the definitions in use (the generated layer). */
export function ownProfiles(validator: Validator, type: string): string[] {
  return validator.index
    .list('StructureDefinition')
    .filter((e) => e.source === 'generated' && e.url)
    .map((e) => validator.index.read<{ type?: string; url: string; derivation?: string }>(e))
    .filter((sd) => sd.type === type && sd.derivation === 'constraint')
    .map((sd) => sd.url)
    .sort();
}

/** The measures an app feeds: each MES canonical (the BMI aside: MES computes it) and the title of our profile that requires it. */
export function creatableMeasures(validator: Validator): Array<{ canonical: string; title: string }> {
  return ownProfiles(validator, 'Observation')
    .map((url) => ({ canonical: requiredMetaProfile(validator.model, url), title: validator.index.resolve<{ title?: string }>(url)?.title ?? url }))
    .filter((m): m is { canonical: string; title: string } => m.canonical !== undefined && m.canonical !== `${MES_MEASURE_BASE}mes-observation-bmi`)
    .sort((a, b) => a.canonical.localeCompare(b.canonical));
}

/**
 * API Mesures: the feeding Bundle at `POST [base]` (every transaction Bundle another API does not
 * claim: MES's default), Observation search and read, Device read.
 */
export const mesures: MesApi = {
  name: 'Mesures',
  capability: (validator) => [
    {
      type: 'Observation',
      // what an app claims in meta.profile: the MES canonical of each measure, the BMI aside (MES computes it)
      supportedProfile: creatableMeasures(validator).map((m) => m.canonical),
      interaction: ['read', 'search-type'],
      searchParam: OBSERVATION_SEARCH_PARAMETERS,
      searchInclude: ['Observation:device'],
    },
    { type: 'Device', supportedProfile: ownProfiles(validator, 'Device'), interaction: ['read'] },
    { type: 'Bundle', supportedProfile: [FEEDING_PROFILE], interaction: [] },
  ],
  transaction: {
    claims: () => true,
    accept: (ctx, app, bundle, base) => acceptFeedingBundle(ctx.db, ctx.validation, app, bundle, base),
  },
  seedTypes: ['Bundle'],
  // a function, not the import itself: mesures-scenarios.ts reads this module (an import cycle)
  scenarios: (validator) => mesuresScenarios(validator),
  routes(fhir, ctx) {
    ctx.read('Observation');
    ctx.read('Device');
    fhir.get('/Observation', async (req, reply) => ctx.send(reply, 200, await searchObservations(ctx.db, ctx.appOf(req), req.query as Query, ctx.base(req))));
  },
};
