import { createHash } from 'node:crypto';
import { compareWithHeader, fromUtf8, readCda, type CdaMetadata, type Disagreement, type StatedMetadata } from '@mes-fhir/cda';
import type { IssueCode, IssueSeverity } from './outcome.js';
import { isObject } from './patterns.js';

/** Reports one issue at a location (the validator's `report`, bound to the walk). */
export type Report = (severity: IssueSeverity, code: IssueCode, location: string, message: string) => void;

/** The bytes of an attachment that carries no data (e.g. a CDA file given beside it: `validate --cda`). */
export type AttachmentResolver = (attachment: { url?: string; contentType?: string }) => Uint8Array | undefined;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A DocumentReference whose attachment carries a document: its size and SHA-1 hash against the
 * bytes and, when the bytes are XML, the CDA R2 they must be (well-formed, a ClinicalDocument)
 * and the metadata that must agree with its header (type, patient, creation time, format).
 */
export function checkDocumentReference(resource: Record<string, unknown>, location: string, report: Report, resolve?: AttachmentResolver): void {
  const content = Array.isArray(resource.content) ? resource.content : [];
  content.forEach((item, i) => {
    if (!isObject(item) || !isObject(item.attachment)) return;
    const attachment = item.attachment;
    const at = `${location}.content[${i}].attachment`;
    let bytes: Uint8Array | undefined;
    if (typeof attachment.data === 'string') {
      const data = attachment.data.replace(/\s+/g, '');
      if (!BASE64.test(data) || data.length % 4 !== 0) return; // the base64Binary format check reports it
      bytes = Buffer.from(data, 'base64');
    } else {
      // A document held elsewhere (a Binary of the Bundle, a file given beside it) is checked when
      // it is a CDA: other content (MHD's text examples) is left as the base validator leaves it.
      if (!/xml/.test(str(attachment.contentType) ?? '')) return;
      bytes = resolve?.({ url: str(attachment.url), contentType: str(attachment.contentType) });
      if (!bytes) return;
    }
    if (typeof attachment.size === 'number' && attachment.size !== bytes.length) {
      report('error', 'value', `${at}.size`, `size ${attachment.size} does not match the document, which has ${bytes.length} bytes`);
    }
    if (typeof attachment.hash === 'string') {
      const sha1 = createHash('sha1').update(bytes).digest('base64');
      if (attachment.hash !== sha1) report('error', 'value', `${at}.hash`, `hash ${attachment.hash} is not the SHA-1 of the document (${sha1})`);
    }
    const contentType = str(attachment.contentType) ?? '';
    const text = fromUtf8(bytes);
    if (!/xml/.test(contentType) && !/^\s*(<\?xml|<ClinicalDocument)/.test(text)) return;
    const read = readCda(text);
    if (!read.ok) {
      report('error', 'structure', typeof attachment.data === 'string' ? `${at}.data` : at, `the attached document is not a readable CDA R2 document: ${read.error}`);
      return;
    }
    checkAgreement(resource, location, `${location}.content[${i}]`, item, read.metadata, report);
  });
}

/** Where each disagreement with the CDA header is reported. */
const AT: Record<Disagreement['field'], (location: string, contentAt: string) => string> = {
  type: (l) => `${l}.type`,
  patient: (l) => `${l}.subject.identifier`,
  creation: (_l, c) => `${c}.attachment.creation`,
  format: (_l, c) => `${c}.format`,
};

function checkAgreement(resource: Record<string, unknown>, location: string, contentAt: string, item: Record<string, unknown>, cda: CdaMetadata, report: Report): void {
  const codings = isObject(resource.type) && Array.isArray(resource.type.coding) ? resource.type.coding.filter(isObject) : [];
  const identifier = isObject(resource.subject) && isObject(resource.subject.identifier) ? resource.subject.identifier : undefined;
  const stated: StatedMetadata = {
    types: codings.map((c) => ({ system: str(c.system), code: str(c.code) })),
    patient: identifier ? { system: str(identifier.system), value: str(identifier.value) } : undefined,
    creation: str((item.attachment as Record<string, unknown>).creation),
    format: isObject(item.format) ? str(item.format.code) : undefined,
  };
  for (const d of compareWithHeader(stated, cda)) report('error', 'invariant', AT[d.field](location, contentAt), d.message);
}
