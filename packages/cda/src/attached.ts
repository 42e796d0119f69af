import { compareWithHeader, type StatedMetadata } from './agreement.js';
import { base64ToBytes, fromUtf8 } from './base64.js';
import { MAX_CDA_LENGTH, readCda } from './read.js';
import { isObject, stringOf as str, type Issue, type IssueCode } from '@mes-fhir/core';

/**
 * A document described by an MHD DocumentReference, checked against its bytes. The DocumentReference
 * is read only for the XDS metadata it states (type, patient, creation time, format, size), as MHD
 * maps them; validating the DocumentReference itself is the validator's and the schemas' work.
 * Shared by `@mes-fhir/validator` and `checkResource` of `@mes-fhir/profiles`.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What a document can disagree on, each with its issue code and message id. */
const CHECKS = {
  size: { code: 'value', id: 'document-size' },
  document: { code: 'structure', id: 'document-not-cda' },
  type: { code: 'invariant', id: 'document-type' },
  patient: { code: 'invariant', id: 'document-patient' },
  creation: { code: 'invariant', id: 'document-creation' },
  format: { code: 'invariant', id: 'document-format' },
} as const satisfies Record<string, { code: IssueCode; id: string }>;
const finding = (kind: keyof typeof CHECKS, location: string, message: string): Issue => ({ severity: 'error', ...CHECKS[kind], location, message });

/**
 * The bytes of an attachment: its inline base64 data, else, for an XML (CDA) document held
 * elsewhere, what `elsewhere` finds for its url (a Binary of the Bundle, a file given beside it).
 * Other content held elsewhere is not fetched (MHD's text examples are left as they are).
 * Undefined when there is nothing to check, or the data is not base64 (the format check says so),
 * or is the base64 of more than a readable document (not decoded: see MAX_CDA_LENGTH).
 */
export function attachedBytes(attachment: unknown, elsewhere?: (url: string | undefined) => Uint8Array | undefined): Uint8Array | undefined {
  if (!isObject(attachment)) return undefined;
  if (typeof attachment.data === 'string') {
    const data = attachment.data.replace(/\s+/g, '');
    if (data.length > Math.ceil(MAX_CDA_LENGTH / 3) * 4) return undefined;
    return BASE64.test(data) && data.length % 4 === 0 ? base64ToBytes(data) : undefined;
  }
  return /xml/.test(str(attachment.contentType) ?? '') ? elsewhere?.(str(attachment.url)) : undefined;
}

/**
 * The content `contentIndex` of a DocumentReference against the bytes of its document: the size,
 * then, when the bytes are XML, a readable CDA R2 whose header agrees with the stated metadata.
 * The SHA-1 hash is left to the caller (Node computes it synchronously, browsers do not). Issue
 * locations are relative to the DocumentReference (`content[0].attachment.size`, `type`…).
 */
export function checkAttachedDocument(documentReference: unknown, contentIndex: number, bytes: Uint8Array): Issue[] {
  const dr = isObject(documentReference) ? documentReference : {};
  const item = Array.isArray(dr.content) && isObject(dr.content[contentIndex]) ? dr.content[contentIndex] : {};
  const attachment = isObject(item.attachment) ? item.attachment : {};
  const at = `content[${contentIndex}]`;
  const out: Issue[] = [];
  if (typeof attachment.size === 'number' && attachment.size !== bytes.length) {
    out.push(finding('size', `${at}.attachment.size`, `size ${attachment.size} does not match the document, which has ${bytes.length} bytes`));
  }
  if (bytes.length > MAX_CDA_LENGTH) {
    out.push(finding('document', `${at}.attachment`, `the attached document is larger than 10 MiB (${bytes.length} bytes): not read`));
    return out;
  }
  const text = fromUtf8(bytes);
  if (!/xml/.test(str(attachment.contentType) ?? '') && !/^\s*(<\?xml|<ClinicalDocument)/.test(text)) return out;
  const read = readCda(text);
  if (!read.ok) {
    const where = typeof attachment.data === 'string' ? `${at}.attachment.data` : `${at}.attachment`;
    out.push(finding('document', where, `the attached document is not a readable CDA R2 document: ${read.error}`));
    return out;
  }
  const codings = isObject(dr.type) && Array.isArray(dr.type.coding) ? dr.type.coding.filter(isObject) : [];
  const identifier = isObject(dr.subject) && isObject(dr.subject.identifier) ? dr.subject.identifier : undefined;
  const stated: StatedMetadata = {
    types: codings.map((c) => ({ system: str(c.system), code: str(c.code) })),
    patient: identifier ? { system: str(identifier.system), value: str(identifier.value) } : undefined,
    creation: str(attachment.creation),
    format: isObject(item.format) ? str(item.format.code) : undefined,
  };
  const PATHS = { type: 'type', patient: 'subject.identifier', creation: `${at}.attachment.creation`, format: `${at}.format` } as const;
  for (const d of compareWithHeader(stated, read.metadata)) out.push(finding(d.field, PATHS[d.field], d.message));
  return out;
}
