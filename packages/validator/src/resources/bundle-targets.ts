/**
 * The entries of a Bundle as the targets of the references inside it, resolved as the FHIR
 * specification says (Bundle, "Resolving references in Bundles") and the HL7 validator does:
 * - an absolute reference names the entry whose fullUrl it is;
 * - a relative one (`Type/id`) is made absolute against the fullUrl of the entry it sits in: the
 *   RESTful base of `http://server/fhir/Observation/1`, or the prefix of a URN (`urn:uuid:` + id),
 *   so `Patient/1` never names an entry whose fullUrl is a `urn:uuid:`; from an entry without a
 *   fullUrl, it names an entry without one that holds `Type/id`;
 * - a version (`/_history/v`) names the entry of the resource.
 * A Parameters' resources resolve the same way, as entries without fullUrl (parameters.ts).
 */
import { isObject, type Json } from '@mes-fhir/core';

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export class BundleTargets {
  private readonly byFullUrl = new Map<string, Json>();
  /** Entries without fullUrl, by `Type/id`. */
  private readonly byTypeAndId = new Map<string, Json>();
  /** Each entry's resource → its fullUrl (undefined when it has none). */
  private readonly fullUrlOf = new Map<unknown, string | undefined>();

  /** A Bundle's entries, or any list of resources with their fullUrls (a Parameters' resources have none). */
  constructor(entries: unknown[]) {
    for (const entry of entries) {
      if (!isObject(entry) || !isObject(entry.resource)) continue;
      const r = entry.resource;
      const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
      this.fullUrlOf.set(r, fullUrl);
      // the first of two entries with one fullUrl (bdl-7 reports the second)
      if (fullUrl !== undefined) {
        if (!this.byFullUrl.has(fullUrl)) this.byFullUrl.set(fullUrl, r);
      } else if (typeof r.resourceType === 'string' && typeof r.id === 'string' && !this.byTypeAndId.has(`${r.resourceType}/${r.id}`))
        this.byTypeAndId.set(`${r.resourceType}/${r.id}`, r);
    }
  }

  /** The resources of the entries. */
  resources(): Iterable<unknown> {
    return this.fullUrlOf.keys();
  }

  /**
   * The entry's resource a reference names, seen from the resources being walked (outermost
   * first): the innermost of them that is an entry of this Bundle gives the fullUrl to resolve from.
   */
  resolve(reference: string, walking: readonly unknown[]): Json | undefined {
    if (SCHEME.test(reference)) return this.byFullUrl.get(reference) ?? this.byFullUrl.get(withoutVersion(reference));
    const relative = RELATIVE.exec(reference);
    if (!relative) return undefined;
    const [, type, id] = relative;
    let from: string | undefined;
    for (let i = walking.length - 1; i >= 0; i--)
      if (this.fullUrlOf.has(walking[i])) {
        from = this.fullUrlOf.get(walking[i]);
        break;
      }
    if (from === undefined) return this.byTypeAndId.get(`${type}/${id}`);
    if (/^urn:/i.test(from)) return this.byFullUrl.get(`${from.slice(0, from.lastIndexOf(':') + 1)}${id}`);
    const base = from.split('/').slice(0, -2).join('/');
    return this.byFullUrl.get(`${base}/${type}/${id}`);
  }
}

function withoutVersion(reference: string): string {
  const history = reference.indexOf('/_history/');
  return history > 0 ? reference.slice(0, history) : reference;
}
