/**
 * The narrative's XHTML (`Narrative.div`) as one element: read by the XML parser, so that what a
 * JSON div holds is exactly what an XML reader will see once it is written into a document.
 */
import { readXmlTree, type XmlElement } from './xml-tree.js';

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

export type XhtmlResult = { ok: true; div: XmlElement } | { ok: false; error: string };

/** The element tree of a narrative: one well-formed element, with nothing but whitespace around it. */
export function readXhtml(text: string): XhtmlResult {
  const tree = readXmlTree(text);
  if (!tree.ok) return tree;
  const { root } = tree;
  if (text.slice(0, root.start).trim() !== '' || text.slice(root.end).trim() !== '')
    return { ok: false, error: 'the narrative must be one element, with nothing around it' };
  return { ok: true, div: root };
}
