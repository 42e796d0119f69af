/**
 * The part of `checkResource` that schemas cannot do for the API Documents: a DocumentReference
 * whose attachment carries a CDA R2 (inline, or in a Binary of the same Bundle) must describe it
 * (the checks of `@mes-fhir/cda`). The SHA-1 hash needs Web Crypto, which is asynchronous: the
 * validator checks it.
 */
import { attachedBytes, checkAttachedDocument } from '@mes-fhir/cda';
import { isObject, type Issue, type Json } from '@mes-fhir/core';

function checkOne(dr: Json, location: string, binaries: Map<string, Json>, issues: Issue[]): void {
  const content = Array.isArray(dr.content) ? dr.content : [];
  content.forEach((item, i) => {
    if (!isObject(item)) return;
    const bytes = attachedBytes(item.attachment, (url) => {
      const data = url ? binaries.get(url)?.data : undefined;
      return typeof data === 'string' ? attachedBytes({ data }) : undefined;
    });
    if (!bytes) return;
    for (const f of checkAttachedDocument(dr, i, bytes)) issues.push({ ...f, location: `${location}.${f.location}` });
  });
}

/** Issues of every DocumentReference in the resource (itself, or the entries of a Bundle). Never throws. */
export function documentIssues(resource: unknown): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(resource)) return issues;
  if (resource.resourceType === 'DocumentReference') checkOne(resource, 'DocumentReference', new Map(), issues);
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    const binaries = new Map<string, Json>();
    for (const e of resource.entry)
      if (isObject(e) && typeof e.fullUrl === 'string' && isObject(e.resource) && e.resource.resourceType === 'Binary') binaries.set(e.fullUrl, e.resource);
    resource.entry.forEach((e, i) => {
      if (isObject(e) && isObject(e.resource) && e.resource.resourceType === 'DocumentReference')
        checkOne(e.resource, `Bundle.entry[${i}].resource`, binaries, issues);
    });
  }
  return issues;
}
