import { createHash } from 'node:crypto';
import { attachedBytes, checkAttachedDocument } from '@mes-fhir/cda';
import type { IssueCode, IssueSeverity } from './outcome.js';
import { isObject } from './patterns.js';

/** Reports one issue at a location (the validator's `report`, bound to the walk). */
export type Report = (severity: IssueSeverity, code: IssueCode, location: string, message: string) => void;

/** The bytes of an attachment that carries no data (e.g. a CDA file given beside it: `validate --cda`). */
export type AttachmentResolver = (attachment: { url?: string; contentType?: string }) => Uint8Array | undefined;

/**
 * A DocumentReference whose attachment carries a document: the checks of `@mes-fhir/cda` (size, a
 * readable CDA R2, its header against the metadata) and, here where SHA-1 is synchronous, the hash.
 */
export function checkDocumentReference(resource: Record<string, unknown>, location: string, report: Report, resolve?: AttachmentResolver): void {
  const content = Array.isArray(resource.content) ? resource.content : [];
  content.forEach((item, i) => {
    if (!isObject(item) || !isObject(item.attachment)) return;
    const attachment = item.attachment;
    const bytes = attachedBytes(attachment, (url) => resolve?.({ url, contentType: typeof attachment.contentType === 'string' ? attachment.contentType : undefined }));
    if (!bytes) return;
    if (typeof attachment.hash === 'string') {
      const sha1 = createHash('sha1').update(bytes).digest('base64');
      if (attachment.hash !== sha1) report('error', 'value', `${location}.content[${i}].attachment.hash`, `hash ${attachment.hash} is not the SHA-1 of the document (${sha1})`);
    }
    for (const f of checkAttachedDocument(resource, i, bytes)) report('error', f.code as IssueCode, `${location}.${f.location}`, f.message);
  });
}
