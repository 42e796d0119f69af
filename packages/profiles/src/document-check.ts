/**
 * The part of `checkResource` that schemas cannot do for the API Documents: a DocumentReference
 * whose attachment carries a CDA R2 (inline, or in a Binary of the same Bundle) must describe it:
 * size, a readable ClinicalDocument, and type, patient, creation time and format as in its header.
 * (The SHA-1 hash needs Web Crypto, which is asynchronous: the validator checks it.)
 */
import { base64ToBytes, compareWithHeader, fromUtf8, readCda } from '@mes-fhir/cda';
import type { CheckIssue } from './check.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const FIELD_AT = { type: 'type', patient: 'subject.identifier', creation: 'content[0].attachment.creation', format: 'content[0].format' } as const;

function bytesOf(attachment: Json, binaries: Map<string, Json>): Uint8Array | undefined {
  try {
    if (typeof attachment.data === 'string') return base64ToBytes(attachment.data);
    const binary = typeof attachment.url === 'string' ? binaries.get(attachment.url) : undefined;
    return typeof binary?.data === 'string' && /xml/.test(str(attachment.contentType) ?? '') ? base64ToBytes(binary.data) : undefined;
  } catch {
    return undefined; // not base64: the schema reports the format
  }
}

function checkOne(dr: Json, location: string, binaries: Map<string, Json>, issues: CheckIssue[]): void {
  const content = Array.isArray(dr.content) ? dr.content : [];
  content.forEach((item, i) => {
    if (!isObject(item) || !isObject(item.attachment)) return;
    const bytes = bytesOf(item.attachment, binaries);
    if (!bytes) return;
    const at = `${location}.content[${i}].attachment`;
    if (typeof item.attachment.size === 'number' && item.attachment.size !== bytes.length) {
      issues.push({ severity: 'error', location: `${at}.size`, message: `size ${item.attachment.size} does not match the document, which has ${bytes.length} bytes` });
    }
    const text = fromUtf8(bytes);
    if (!/xml/.test(str(item.attachment.contentType) ?? '') && !/^\s*(<\?xml|<ClinicalDocument)/.test(text)) return;
    const read = readCda(text);
    if (!read.ok) {
      issues.push({ severity: 'error', location: at, message: `the attached document is not a readable CDA R2 document: ${read.error}` });
      return;
    }
    const codings = isObject(dr.type) && Array.isArray(dr.type.coding) ? dr.type.coding.filter(isObject) : [];
    const identifier = isObject(dr.subject) && isObject(dr.subject.identifier) ? dr.subject.identifier : undefined;
    const stated = {
      types: codings.map((c) => ({ system: str(c.system), code: str(c.code) })),
      patient: identifier ? { system: str(identifier.system), value: str(identifier.value) } : undefined,
      creation: str(item.attachment.creation),
      format: isObject(item.format) ? str(item.format.code) : undefined,
    };
    for (const d of compareWithHeader(stated, read.metadata)) issues.push({ severity: 'error', location: `${location}.${FIELD_AT[d.field].replace('content[0]', `content[${i}]`)}`, message: d.message });
  });
}

/** Issues of every DocumentReference in the resource (itself, or the entries of a Bundle). Never throws. */
export function documentIssues(resource: unknown): CheckIssue[] {
  const issues: CheckIssue[] = [];
  if (!isObject(resource)) return issues;
  if (resource.resourceType === 'DocumentReference') checkOne(resource, 'DocumentReference', new Map(), issues);
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    const binaries = new Map<string, Json>();
    for (const e of resource.entry) if (isObject(e) && typeof e.fullUrl === 'string' && isObject(e.resource) && e.resource.resourceType === 'Binary') binaries.set(e.fullUrl, e.resource);
    resource.entry.forEach((e, i) => {
      if (isObject(e) && isObject(e.resource) && e.resource.resourceType === 'DocumentReference') checkOne(e.resource, `Bundle.entry[${i}].resource`, binaries, issues);
    });
  }
  return issues;
}
