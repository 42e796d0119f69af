import { isObject, type Json } from '@mes-fhir/core';
import { FhirError } from './fhir.js';
import type { StoredResource } from './store.js';

export type Query = Record<string, string | string[] | undefined>;

/** Page size limits of the MES search (facts: `_count` at most 100, 50 by default). */
export const MAX_COUNT = 100;
export const DEFAULT_COUNT = 50;

/** Refuses parameters the route does not support (FHIR "strict" handling: 400, never ignored). */
export function checkParameters(query: Query, allowed: string[]): void {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw FhirError.of(
      400,
      'not-supported',
      `Unknown search parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u.slice(0, 64)}"`).join(', ')}; supported: ${allowed.join(', ')}`,
    );
  }
}

/** The single value of a parameter (400 when repeated). */
export function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) {
    if (v.length > 1) throw FhirError.of(400, 'invalid', `Parameter ${name} may be given once`);
    return v[0];
  }
  return v;
}

export function all(query: Query, name: string): string[] {
  const v = query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `system|value` of a token parameter (400 unless both parts are there). */
export function tokenIdentifier(query: Query, name: string): { system: string; value: string } {
  const raw = single(query, name);
  if (!raw) throw FhirError.of(400, 'required', `Parameter ${name}=<system>|<value> is required (urn:oid:<OID>|<idPe>)`);
  const bar = raw.indexOf('|');
  if (bar <= 0 || bar === raw.length - 1) throw FhirError.of(400, 'invalid', `Parameter ${name} must be <system>|<value>, e.g. urn:oid:<OID>|<idPe>`);
  return { system: raw.slice(0, bar), value: raw.slice(bar + 1) };
}

export function paging(query: Query): { count: number; page: number } {
  const count = integer(single(query, '_count'), '_count', DEFAULT_COUNT);
  if (count < 1 || count > MAX_COUNT) throw FhirError.of(400, 'invalid', `_count must be between 1 and ${MAX_COUNT}`);
  const page = integer(single(query, '_offset'), '_offset', 0);
  if (page < 0 || page > 1_000_000) throw FhirError.of(400, 'invalid', '_offset is the 0-based page number');
  return { count, page };
}

function integer(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,7}$/.test(raw)) throw FhirError.of(400, 'invalid', `${name} must be an integer`);
  return Number(raw);
}

/** Bounds of `date` parameters (ge/gt → from, le/lt → to; a bare date or eq is its own day). */
export function dateBounds(values: string[]): { from?: string; to?: string } {
  const bounds: { from?: string; to?: string } = {};
  for (const v of values) {
    const m = /^(eq|ge|gt|le|lt)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$/.exec(v);
    if (!m) throw FhirError.of(400, 'invalid', `date=${v.slice(0, 64)} is not a FHIR date search value (e.g. ge2026-01-01)`);
    const prefix = m[1] ?? 'eq';
    const [start, end] = periodOf(m[2]!);
    if (prefix === 'ge' || prefix === 'gt' || prefix === 'eq') bounds.from = start;
    if (prefix === 'le' || prefix === 'lt' || prefix === 'eq') bounds.to = end;
  }
  return bounds;
}

/** First and last instant of a date value at its precision (dates without zone are taken as UTC). */
function periodOf(value: string): [string, string] {
  // Date.UTC and Date.parse roll 2026-02-30 over to March: the calendar is checked first
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number?, number?];
  if ((m !== undefined && (m < 1 || m > 12)) || (d !== undefined && (d < 1 || d > new Date(Date.UTC(y, m!, 0)).getUTCDate())))
    throw FhirError.of(400, 'invalid', `date ${value} is not a valid date: no such day`);
  const time = /T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (time && (Number(time[1]) > 23 || Number(time[2]) > 59 || Number(time[3] ?? 0) > 59))
    throw FhirError.of(400, 'invalid', `date ${value} is not a valid instant: no such time`);
  if (value.includes('T')) {
    const withZone = /Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`;
    const t = Date.parse(withZone);
    if (Number.isNaN(t)) throw FhirError.of(400, 'invalid', `date ${value} is not a valid instant`);
    return [new Date(t).toISOString(), new Date(t).toISOString()];
  }
  const start = Date.UTC(y, (m ?? 1) - 1, d ?? 1);
  const end = d ? Date.UTC(y, m! - 1, d + 1) : m ? Date.UTC(y, m, 1) : Date.UTC(y + 1, 0, 1);
  if (Number.isNaN(start)) throw FhirError.of(400, 'invalid', `date ${value} is not a valid date`);
  return [new Date(start).toISOString(), new Date(end - 1).toISOString()];
}

/** A searchset Bundle with self/previous/next links; `_offset` is the page number. */
export function searchsetBundle(args: {
  base: string;
  path: string;
  query: Query;
  total: number;
  count: number;
  page: number;
  matches: Json[];
  includes?: Json[];
}): Json {
  const link = (page: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(args.query)) {
      if (k === '_offset' || v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    }
    if (page > 0) params.append('_offset', String(page));
    // Keep `|` and `:` readable in links, as in the MES examples.
    return `${args.base}/${args.path}?${params.toString().replace(/%7C/g, '|').replace(/%3A/g, ':')}`;
  };
  const links = [{ relation: 'self', url: link(args.page) }];
  if (args.page > 0) links.push({ relation: 'previous', url: link(args.page - 1) });
  if ((args.page + 1) * args.count < args.total) links.push({ relation: 'next', url: link(args.page + 1) });
  const entry = (r: Json, mode: 'match' | 'include') => ({ fullUrl: `${args.base}/${r.resourceType}/${r.id}`, resource: r, search: { mode } });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: args.total,
    link: links,
    entry: [...args.matches.map((r) => entry(r, 'match')), ...(args.includes ?? []).map((r) => entry(r, 'include'))],
  };
}

/**
 * A stored resource as one app sees it: the patient appears under that app's own
 * `urn:oid:<OID>|<idPe>` (another app may have written it under its own).
 */
export function asSeenBy(r: StoredResource, patient: { oid: string; idPe: string } | undefined): Json {
  // copies only what it changes: a stored resource can weigh megabytes
  const content = { ...r.content };
  if (!patient) return content;
  const identifier = { system: `urn:oid:${patient.oid}`, value: patient.idPe };
  if (isObject(content.subject) && isObject(content.subject.identifier)) content.subject = { ...content.subject, identifier };
  if (Array.isArray(content.participant))
    content.participant = content.participant.map((p) =>
      isObject(p) && isObject(p.actor) && p.actor.type === 'Patient' && isObject(p.actor.identifier) ? { ...p, actor: { ...p.actor, identifier } } : p,
    );
  return content;
}
