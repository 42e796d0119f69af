/**
 * Text from input: control characters, as FHIR strings forbid them and as a terminal must not
 * receive them.
 */

/** FHIR strings allow no character below U+0020 but tab, CR and LF. */
const FORBIDDEN_IN_FHIR_STRINGS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** The first character FHIR strings forbid, written `U+0000`, or undefined when there is none. */
export function forbiddenControlCharacter(text: string): string | undefined {
  const found = FORBIDDEN_IN_FHIR_STRINGS.exec(text);
  return found ? `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/**
 * Text made safe to print on a terminal or in a log line: control characters (a newline that would
 * forge a line, an ANSI escape that would rewrite one) written as `\uXXXX`.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// XML 1.0 admits no other control characters (nor U+FFFE, U+FFFF, or half a surrogate pair)
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text without the characters XML 1.0 refuses (an XHTML narrative, a JUnit file must stay parseable). */
export function withoutNonXmlCharacters(text: string): string {
  return text.replace(NOT_XML, '');
}

/**
 * Text for an HTML or XML page, as character data or inside a quoted attribute: the five markup
 * characters escaped, the characters XML refuses dropped.
 */
export function escapeMarkup(text: string): string {
  return withoutNonXmlCharacters(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
