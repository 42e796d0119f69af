/**
 * Text as the Java validator checks it: a string that starts or ends with whitespace (a warning),
 * markdown that embeds what looks like an HTML tag (presentation layers escape it: a warning by
 * default, or nothing, or an error, as `htmlInMarkdown` says), and with `securityChecks`, any
 * string or markdown holding an HTML-like tag (an error: it could become markup somewhere).
 */
import type { ValidationContext } from '../context.js';
import type { ValidatorSettings } from '../validator.js';

const PADDED = /^\s|\s$/;
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>/;

export function checkText(ctx: ValidationContext, value: string, type: 'string' | 'markdown', location: string, settings: ValidatorSettings): void {
  if (type === 'string' && PADDED.test(value)) ctx.report('string-padded', location);
  const checkTags = settings.securityChecks || (type === 'markdown' && settings.htmlInMarkdown !== 'ignore');
  const tag = checkTags ? HTML_TAG.exec(value) : null;
  if (!tag) return;
  if (settings.securityChecks) ctx.report('text-html-security', location, tag[0]);
  else if (settings.htmlInMarkdown === 'error') ctx.report('markdown-html-refused', location, tag[0]);
  else ctx.report('markdown-html', location, tag[0]);
}
