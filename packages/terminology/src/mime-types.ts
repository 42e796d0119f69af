/**
 * BCP 13 (`urn:ietf:bcp:13`), the media types R4 binds Attachment.contentType and Binary.contentType
 * to. Like UCUM it is a grammar, not a list: a code is valid when it is written as RFC 6838 §4.2
 * says (`type/subtype`, then `; name=value` parameters) under one of the registered top-level types.
 */
export const MIME_TYPES_SYSTEM = 'urn:ietf:bcp:13';

/** The top-level media types IANA registers. */
const TOP_LEVEL = new Set(['application', 'audio', 'example', 'font', 'haptics', 'image', 'message', 'model', 'multipart', 'text', 'video']);
/** RFC 6838 restricted-name: a letter or digit, then up to 126 of these. */
const RESTRICTED_NAME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** A parameter value: a token (RFC 2045) or a quoted string. */
const PARAMETER_VALUE = /^(?:[!#$%&'*+.0-9A-Z^_`a-z{|}~-]+|"(?:[^"\\\u0000-\u001F]|\\.)*")$/;

export type MimeTypeCheck = { valid: true } | { valid: false; message: string };

/** Whether `code` is a media type as BCP 13 writes it; the message says what is wrong. */
export function validateMimeType(code: string): MimeTypeCheck {
  const [media = '', ...parameters] = code.split(';');
  const slash = media.indexOf('/');
  const type = media.slice(0, slash);
  const subtype = media.slice(slash + 1).trimEnd();
  if (slash < 0 || !RESTRICTED_NAME.test(type) || !RESTRICTED_NAME.test(subtype))
    return { valid: false, message: `"${code}" is not a media type (type/subtype, RFC 6838)` };
  if (!TOP_LEVEL.has(type.toLowerCase())) return { valid: false, message: `"${code}": ${type} is not a registered top-level media type` };
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    const name = parameter.slice(0, equals).trim();
    const value = parameter.slice(equals + 1).trim();
    if (equals < 0 || !RESTRICTED_NAME.test(name) || !PARAMETER_VALUE.test(value))
      return { valid: false, message: `"${code}": the parameter "${parameter.trim()}" is not name=value` };
  }
  return { valid: true };
}
