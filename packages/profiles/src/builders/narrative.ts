/**
 * The narrative the builders write. R4 asks every resource for a human-readable summary
 * (`text`, invariant dom-6, a warning without it); the builders make it from the structured data
 * only, so its status is "generated" and it can never say more than the resource does.
 */
import { withoutNonXmlCharacters } from '@mes-fhir/core';

/** Text as XHTML character data (an XHTML div must be XML): markup characters escaped, characters XML refuses dropped. */
export function xhtmlText(text: string): string {
  return withoutNonXmlCharacters(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A generated narrative: one paragraph per line, each escaped. */
export function generatedNarrative(lines: string[]): { status: 'generated'; div: string } {
  const paragraphs = lines.filter((l) => l.trim() !== '').map((l) => `<p>${xhtmlText(l)}</p>`);
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${paragraphs.join('')}</div>` };
}
