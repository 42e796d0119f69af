/**
 * HL7 v3 timestamps (`YYYYMMDDHHMMSS[.fff][+ZZZZ]`, as CDA writes them) to and from FHIR dateTime.
 */
const TS = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})(\d{2})?(\.\d+)?)?([+-]\d{4})?$/;

/** A CDA timestamp as a FHIR dateTime (offset kept); undefined when it is not a timestamp. */
export function tsToFhir(ts: string | undefined): string | undefined {
  const m = ts ? TS.exec(ts.trim()) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (!mo) return y;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  const offset = tz ? `${tz.slice(0, 3)}:${tz.slice(3)}` : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${offset}`;
}

/** A Date (written in UTC) or an ISO 8601 date-time (its offset kept) as a CDA timestamp. */
export function toTs(value: Date | string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('invalid Date');
    return `${value
      .toISOString()
      .replace(/\.\d{3}Z$/, '')
      .replace(/[-:T]/g, '')}+0000`;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value.trim());
  if (!m) throw new RangeError(`"${value}" is not an ISO 8601 date or date-time`);
  const [, y, mo, d, h, mi, s, tz] = m;
  if (!h) return `${y}${mo}${d}`;
  const offset = !tz ? '' : tz === 'Z' ? '+0000' : tz.replace(':', '');
  return `${y}${mo}${d}${h}${mi}${s ?? '00'}${offset}`;
}

/** The instant of a FHIR dateTime in milliseconds, when it has a time and an offset. */
export function instantOf(dateTime: string | undefined): number | undefined {
  // a time and an offset (not /T.*(Z|…)$/, which backtracks quadratically on a long run of T)
  if (!dateTime || !dateTime.includes('T') || !/(?:Z|[+-]\d{2}:\d{2})$/.test(dateTime)) return undefined;
  const t = Date.parse(dateTime);
  return Number.isNaN(t) ? undefined : t;
}
