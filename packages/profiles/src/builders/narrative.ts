/**
 * The narrative the builders write. R4 asks every resource for a human-readable summary
 * (`text`, invariant dom-6, a warning without it); the builders make it from the structured data
 * only, so its status is "generated" and it can never say more than the resource does.
 */
// XML 1.0 admits no other control characters, and an XHTML div must be XML
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text as XHTML character data: markup characters escaped, characters XML refuses dropped. */
export function xhtmlText(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A generated narrative: one paragraph per line, each escaped. */
export function generatedNarrative(lines: string[]): { status: 'generated'; div: string } {
  const paragraphs = lines.filter((l) => l.trim() !== '').map((l) => `<p>${xhtmlText(l)}</p>`);
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${paragraphs.join('')}</div>` };
}
