/**
 * Text from input, made safe to print on a terminal or in a log line: control characters (a
 * newline that would forge a line, an ANSI escape that would rewrite one) written as `\uXXXX`.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
