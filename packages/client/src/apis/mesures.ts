/** The API Mesures: send a measure (the feeding Bundle), search measures. */
import type * as fhir4 from 'fhir/r4.js';
import { feedingBundle, type MesPatient } from '@mes-fhir/profiles/mesures';
import { checkBeforeSending, type LocalCheck } from '../check.js';
import { MesApiError } from '../errors.js';
import { idOf, type CallOptions, type Http } from '../http.js';
import { patientSearchValue, searchMatches, searchPages, type SearchParams } from '../search.js';

const FEEDING = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';

/** A measure the API creates (what the builders of @mes-fhir/profiles/mesures return, BMI aside). */
export type CreatableMeasure = Parameters<typeof feedingBundle>[0];
export type PhdDevice = NonNullable<Parameters<typeof feedingBundle>[1]>;

export interface SentMeasure {
  /** The Observation's id and location as MES answered them. */
  observation: { id: string; location?: string };
  /** The Device, when one was sent: created now (201) or known already (200). */
  device?: { id: string; location?: string; created: boolean };
  /** MES's transaction-response Bundle. */
  response: fhir4.Bundle;
}

export interface MeasureQuery {
  patient: MesPatient;
  /** The LOINC (or NOS) code of the measure, e.g. 29463-7. */
  code: string;
  /** A period: MES wants both bounds when one is given. Without one, newest first. */
  from?: string;
  to?: string;
  /** Page size (MES: at most 100, default 50). */
  count?: number;
  /** With each page, the Devices that took the measures (`_include=Observation:device`). */
  includeDevice?: boolean;
}

export class MeasuresApi {
  constructor(
    private readonly http: Http,
    private readonly check?: LocalCheck,
  ) {}

  /** Sends one measure as MES wants it: a transaction Bundle, with the Device that took it if given. */
  async send(observation: CreatableMeasure, options: CallOptions & { device?: PhdDevice } = {}): Promise<SentMeasure> {
    const bundle = feedingBundle(observation, options.device);
    checkBeforeSending(this.check, bundle, FEEDING);
    const response = (await this.http.request<fhir4.Bundle>('POST', '', { body: bundle, signal: options.signal })).body;
    const answered = (type: string) => {
      const i = bundle.entry.findIndex((e) => e.resource.resourceType === type);
      const r = i < 0 ? undefined : response.entry?.[i]?.response;
      if (i >= 0 && !r) throw new MesApiError('server-error', `the transaction response has no entry for the ${type}`, 200);
      return r && { id: idOf(r.location) ?? bundle.entry[i]!.resource.id!, location: r.location, created: r.status.startsWith('201') };
    };
    const obs = answered('Observation')!;
    const device = answered('Device');
    return { observation: { id: obs.id, location: obs.location }, ...(device ? { device } : {}), response };
  }

  /** The measures a search finds, page after page (`for await`). */
  search<T extends fhir4.Observation = fhir4.Observation>(query: MeasureQuery, options: CallOptions = {}): AsyncGenerator<T> {
    return searchMatches<T>(this.http, 'Observation', measureParams(query), options);
  }

  /** The pages themselves (searchset Bundles, with the included Devices). */
  pages(query: MeasureQuery, options: CallOptions = {}): AsyncGenerator<fhir4.Bundle> {
    return searchPages(this.http, 'Observation', measureParams(query), options);
  }
}

function measureParams(q: MeasureQuery): SearchParams {
  if ((q.from === undefined) !== (q.to === undefined)) throw new MesApiError('bad-request', 'a period needs both bounds (from and to), as MES asks', 0);
  return {
    'subject.identifier': patientSearchValue(q.patient),
    code: q.code,
    ...(q.from !== undefined ? { date: [`ge${q.from}`, `le${q.to}`] } : { _sort: '-date' }),
    _count: q.count,
    _include: q.includeDevice ? 'Observation:device' : undefined,
  };
}
