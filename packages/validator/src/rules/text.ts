/**
 * Warnings the Java validator gives on text by default: a string that starts or ends with
 * whitespace, and markdown that embeds what looks like an HTML tag (presentation layers escape it).
 */
import type { ValidationContext } from '../context.js';

const PADDED = /^\s|\s$/;
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>/;

export function checkText(ctx: ValidationContext, value: string, type: 'string' | 'markdown', location: string): void {
  if (type === 'string' && PADDED.test(value)) ctx.report('string-padded', location);
  const tag = type === 'markdown' ? HTML_TAG.exec(value) : null;
  if (tag) ctx.report('markdown-html', location, tag[0]);
}
