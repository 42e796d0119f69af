/**
 * FHIR searches as MES pages them: a searchset Bundle per page, the next one named by its `next`
 * link. The iterators fetch a page only when the caller has used the one before.
 */
import type * as fhir4 from 'fhir/r4.js';
import { oidUri, type MesPatient } from '@mes-fhir/profiles/mesures';
import { MesApiError } from './errors.js';
import type { CallOptions, Http } from './http.js';

/** Search parameters: a name → one value, or several (`date=ge…&date=le…`). */
export type SearchParams = Record<string, string | number | ReadonlyArray<string | number> | undefined>;

/** How MES names a paired patient in a search: `urn:oid:<OID>|<idPe>`. */
export function patientSearchValue(patient: MesPatient): string {
  return `${oidUri(patient.oid)}|${patient.idPe}`;
}

export function queryString(params: SearchParams): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, String(v));
  }
  return query.toString();
}

/** Each page of a search, following `next` links to the end. */
export async function* searchPages(http: Http, type: string, params: SearchParams, options: CallOptions = {}): AsyncGenerator<fhir4.Bundle> {
  const seen = new Set<string>();
  let url: string | undefined = http.url(`${type}?${queryString(params)}`);
  while (url) {
    // a server that links a page to itself (or back) would otherwise be read forever
    if (seen.has(url)) throw new MesApiError('server-error', `the search links back to a page already read: ${url}`, 0);
    seen.add(url);
    const page: fhir4.Bundle = (await http.request<fhir4.Bundle>('GET', url, options)).body;
    yield page;
    url = page.link?.find((l) => l.relation === 'next')?.url;
  }
}

/** The resources a search matched (not the ones it included), page after page. */
export async function* searchMatches<T extends fhir4.FhirResource>(
  http: Http,
  type: string,
  params: SearchParams,
  options: CallOptions = {},
): AsyncGenerator<T> {
  for await (const page of searchPages(http, type, params, options))
    for (const entry of page.entry ?? []) if (entry.resource && entry.search?.mode !== 'include') yield entry.resource as T;
}
