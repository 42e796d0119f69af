/**
 * The narrative (`Narrative.div`), as R4's txt-1 and txt-2 say and the HL7 validator checks them
 * by default (errors): one well-formed `<div>` in the XHTML namespace; only the basic HTML
 * formatting elements (HTML 4.0 chapters 7 to 11 without ins/del, and 15), links and images; no
 * event attribute, script, form, frame, object or style sheet; no active URL (`javascript:`…); and
 * some content that is not whitespace. The div is read by the same XML parser as FHIR XML, so a
 * comment or a CDATA section is never taken for markup.
 */
import { readXhtml, XHTML_NS, type XmlElement } from '@mes-fhir/xml';
import type { ValidationContext } from '../context.js';

/** HTML 4.0 chapters 7 (structure), 8 (bidi), 9 (text, § 4 ins/del aside), 10 (lists), 11 (tables), 15 (font styles, rules), links and images. */
const ELEMENTS = new Set([
  ...['div', 'span', 'p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'bdo', 'pre', 'blockquote', 'q', 'hr'],
  ...['em', 'strong', 'dfn', 'code', 'samp', 'kbd', 'var', 'cite', 'abbr', 'acronym', 'sub', 'sup', 'tt', 'i', 'b', 'big', 'small'],
  ...['ul', 'ol', 'li', 'dl', 'dt', 'dd'],
  ...['table', 'caption', 'thead', 'tfoot', 'tbody', 'colgroup', 'col', 'tr', 'th', 'td'],
  ...['a', 'img', 'map', 'area'],
]);

/** Attributes every allowed element may carry (HTML 4.0 core and language attributes, table layout). */
const COMMON_ATTRIBUTES = new Set([
  ...['id', 'class', 'style', 'title', 'lang', 'xml:lang', 'dir'],
  ...['span', 'width', 'align', 'valign', 'char', 'charoff', 'abbr', 'axis', 'headers', 'scope', 'rowspan', 'colspan'],
]);

/** Attributes of one element. */
const ELEMENT_ATTRIBUTES: Record<string, readonly string[]> = {
  a: ['href', 'name', 'hreflang', 'type', 'rel', 'rev', 'charset', 'accesskey', 'tabindex'],
  img: ['src', 'alt', 'longdesc', 'height', 'usemap', 'ismap', 'border', 'hspace', 'vspace'],
  area: ['shape', 'coords', 'href', 'nohref', 'alt', 'accesskey', 'tabindex'],
  map: ['name'],
  blockquote: ['cite'],
  q: ['cite'],
  table: ['summary', 'border', 'frame', 'rules', 'cellspacing', 'cellpadding'],
  ol: ['start', 'type'],
  ul: ['type'],
  li: ['value', 'type'],
};

/** Attributes whose value is a URL a reader may follow or load. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'longdesc', 'usemap', 'cite']);

/** A narrative reports at most this many txt-1 problems (one per kind of element or attribute). */
const MAX_PROBLEMS = 10;

export function checkNarrative(ctx: ValidationContext, value: string, location: string): void {
  const read = readXhtml(value);
  if (!read.ok) {
    ctx.report('narrative-not-xhtml', location, read.error);
    return;
  }
  const { div } = read;
  if (div.name !== 'div') return ctx.report('narrative-not-div', location);
  if (div.uri !== XHTML_NS) return ctx.report('narrative-namespace', location);
  const seen = new Set<string>();
  let content = false;
  // iterative: a div may nest as deep as the parser allows
  const stack: XmlElement[] = [div];
  while (stack.length) {
    const element = stack.pop()!;
    if (element.name === 'img') content = true;
    if (element.uri !== XHTML_NS || !ELEMENTS.has(element.name)) {
      if (once(seen, `<${element.name}>`)) ctx.report('narrative-element', location, element.name);
    }
    for (const [name, attributeValue] of element.attributes) {
      if (seen.size >= MAX_PROBLEMS) break;
      if (!COMMON_ATTRIBUTES.has(name) && !ELEMENT_ATTRIBUTES[element.name]?.includes(name)) {
        if (once(seen, `${element.name}@${name}`)) ctx.report('narrative-attribute', location, name, element.name);
      } else if (URL_ATTRIBUTES.has(name)) {
        const scheme = activeScheme(attributeValue);
        if (scheme && once(seen, `${element.name}@${name}:`)) ctx.report('narrative-url', location, name, element.name, scheme);
      }
    }
    if (seen.size >= MAX_PROBLEMS) break;
    for (const child of element.children) {
      if (typeof child !== 'string') stack.push(child);
      else if (!content && /\S/.test(child)) content = true;
    }
  }
  if (!content && seen.size < MAX_PROBLEMS) ctx.report('narrative-empty', location);
}

const once = (seen: Set<string>, key: string) => !seen.has(key) && Boolean(seen.add(key));

/**
 * The scheme of a URL that runs code when followed or loaded (`javascript:`, `vbscript:`, and
 * `data:` other than an image), as a browser reads it: ASCII whitespace and control characters
 * inside the scheme are ignored, case too.
 */
function activeScheme(url: string): string | undefined {
  const colon = url.indexOf(':');
  if (colon < 0) return undefined;
  const scheme = url
    .slice(0, colon)
    .replace(/[\u0000-\u0020]/g, '')
    .toLowerCase();
  if (scheme === 'javascript' || scheme === 'vbscript') return `${scheme}:`;
  if (scheme === 'data' && !/^\s*image\/(png|jpeg|gif|webp|bmp)[;,]/i.test(url.slice(colon + 1))) return 'data:';
  return undefined;
}
