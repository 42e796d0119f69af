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
