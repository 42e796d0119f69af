/**
 * One recorded exchange of an app with the sandbox: what the report grades. Bodies are kept as
 * the app sent them and as the sandbox answered, minus what must never be stored: OAuth secrets
 * are masked, and document bytes (FHIR `data`, base64) replaced by their size and SHA-256, so that
 * "retrieved byte for byte" stays provable without keeping a patient's documents twice.
 */
import { createHash } from 'node:crypto';
import { isObject } from '@mes-fhir/core';

export interface Exchange {
  /** Order of recording: a call answered before another started has the smaller seq. */
  seq: number;
  clientId: string;
  /** The patient the call's token speaks for (a pairing's token), if any. */
  idPe?: string;
  /** ISO instant the request arrived. */
  at: string;
  method: string;
  /** Path and query, as requested. */
  url: string;
  status: number;
  durationMs: number;
  requestBody?: unknown;
  /** Media type of the answer (without parameters). */
  responseType?: string;
  /** The JSON answer; for any other answer, its size and SHA-256 (`BodyDigest`). */
  responseBody?: unknown;
}

/** What is kept of bytes that are not stored: their size and SHA-256 (hex). */
export interface BodyDigest {
  size: number;
  sha256: string;
  /** True when the body was JSON but larger than the recorder keeps (a Bundle keeps its skeleton beside). */
  omitted?: boolean;
}

export const MASKED = '[masqué]';
/** What replaces a document's bytes in a recorded body. */
const DOCUMENT_BYTES = /^\[document de (\d+) octets, SHA-256 ([0-9a-f]{64})\]$/;

export function digest(bytes: Uint8Array): BodyDigest {
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The marker a document's bytes become: `[document de <n> octets, SHA-256 <hex>]`. */
function documentMarker(base64: string): string {
  const d = digest(Buffer.from(base64, 'base64'));
  return `[document de ${d.size} octets, SHA-256 ${d.sha256}]`;
}

/** The SHA-256 of the document bytes a recorded `data` value stood for, or undefined. */
export function documentSha256(value: unknown): string | undefined {
  return typeof value === 'string' ? DOCUMENT_BYTES.exec(value)?.[2] : undefined;
}

/** The OAuth parameters and answers that are secrets: a token, a code, a verifier, a client secret. */
const OAUTH_SECRETS = new Set(['access_token', 'refresh_token', 'code', 'code_verifier', 'client_secret', 'token', 'client_assertion']);

/**
 * A body as recorded. FHIR: every `data` (Attachment.data, Binary.data: base64Binary in R4) turned
 * into the marker of its bytes. OAuth (a form or a token answer): its secrets masked, the grant
 * type, errors and patient kept. Both: a NUL, which the database refuses in JSON, shown as U+2400
 * (the request was refused for it; the record must still say what came). The parser bounds the
 * depth of request bodies, so recursion is safe here.
 */
export function recordedBody(body: unknown, kind: 'fhir' | 'oauth'): unknown {
  const clean = (s: string) => s.replace(/\u0000/g, '\u2400');
  const walk = (v: unknown, key: string | undefined, top: boolean): unknown => {
    if (typeof v === 'string') {
      if (kind === 'fhir' && key === 'data') return documentMarker(v);
      if (kind === 'oauth' && top && key !== undefined && OAUTH_SECRETS.has(key)) return MASKED;
      return clean(v);
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, undefined, false));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, item]) => [clean(k), walk(item, k, v === body)]));
    return v;
  };
  return walk(body, undefined, false);
}

/**
 * What the scenarios read of a Bundle too large to keep whole (a page of 100 measures): its type,
 * total and links, and per entry its fullUrl, request, response and the resource's type, id,
 * profiles, code and identifiers.
 */
export function bundleSkeleton(bundle: unknown): unknown {
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') return undefined;
  const pick = (o: unknown, keys: string[]) => (isObject(o) ? Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) : undefined);
  return {
    ...pick(bundle, ['resourceType', 'id', 'type', 'total', 'link']),
    entry: (Array.isArray(bundle.entry) ? bundle.entry : []).map((e) =>
      isObject(e)
        ? {
            ...pick(e, ['fullUrl', 'request', 'response']),
            ...(isObject(e.resource) ? { resource: pick(e.resource, ['resourceType', 'id', 'meta', 'code', 'type', 'identifier']) } : {}),
          }
        : e,
    ),
  };
}
