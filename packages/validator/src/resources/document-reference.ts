/**
 * DocumentReference (API Documents): an attachment that carries a document is checked against it,
 * with the checks of `@mes-fhir/cda` (size, a readable CDA R2, its header against the metadata)
 * and the hash (SHA-1, computed synchronously in Node and in browsers). The document is the inline data, else the Binary
 * of the enclosing Bundle its url names (ITI-65), else what the caller resolves (`--cda`).
 */
import { attachedBytes, checkAttachedDocument, sha1Base64 } from '@mes-fhir/cda';
import { isObject } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import { MAX_PRIMITIVE_LENGTH } from '../rules/primitives.js';
import type { ResourceRule } from './resource-rule.js';

/** The bytes of an attachment that carries no data (e.g. a CDA file given beside it: `validate --cda`). */
export type AttachmentResolver = (attachment: { url?: string; contentType?: string }) => Uint8Array | undefined;

export const documentReferenceRule: ResourceRule = {
  check(ctx, resource, location) {
    const content = Array.isArray(resource.content) ? resource.content : [];
    content.forEach((item, i) => {
      if (!isObject(item) || !isObject(item.attachment)) return;
      const attachment = item.attachment;
      // data already refused as too long is not decoded (42 MB of it took 1.3 GB to decode and parse)
      if (typeof attachment.data === 'string' && attachment.data.length > MAX_PRIMITIVE_LENGTH) return;
      const contentType = typeof attachment.contentType === 'string' ? attachment.contentType : undefined;
      const bytes = attachedBytes(attachment, (url) => documentElsewhere(ctx, url, contentType));
      if (!bytes) return;
      if (typeof attachment.hash === 'string') {
        const sha1 = sha1Base64(bytes);
        if (attachment.hash !== sha1) ctx.report('document-hash', `${location}.content[${i}].attachment.hash`, attachment.hash, sha1);
      }
      for (const issue of checkAttachedDocument(resource, i, bytes)) ctx.add({ ...issue, location: `${location}.${issue.location}`, key: undefined });
    });
  },
};

function documentElsewhere(ctx: ValidationContext, url: string | undefined, contentType: string | undefined): Uint8Array | undefined {
  const binary = url ? ctx.bundleTargets?.resolve(url, ctx.resourceStack) : undefined;
  if (binary?.resourceType === 'Binary')
    return typeof binary.data === 'string' && binary.data.length <= MAX_PRIMITIVE_LENGTH ? attachedBytes({ data: binary.data }) : undefined;
  return ctx.resolveAttachment?.({ url, contentType });
}
