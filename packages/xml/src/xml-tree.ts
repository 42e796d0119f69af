/**
 * An XML text read into a tree by a conforming, streaming parser (saxes): well-formedness is the
 * parser's (mismatched or unclosed tags, duplicate or unquoted attributes, undefined entities),
 * namespaces are resolved, comments and CDATA sections stay what they are, and every element
 * knows where it starts and ends in the text, so that a narrative can be taken byte for byte.
 * DOCTYPE declarations are refused (no entity expansion, no external entity). No regex reads XML.
 */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** The local name. */
  name: string;
  /** The namespace URI ('' when none). */
  uri: string;
  /** Attributes by qualified name, namespace declarations aside. */
  attributes: Map<string, string>;
  /** Child elements and text (comments are dropped; CDATA is text). */
  children: Array<XmlElement | string>;
  /** Where the element starts (its `<`) and ends (after its last `>`) in the text, in UTF-16 code units. */
  start: number;
  end: number;
}

export type XmlTreeResult = { ok: true; root: XmlElement } | { ok: false; error: string };

/** Elements nested deeper than this are refused (hostile input): the tree is read iteratively, but its readers recurse. */
export const MAX_XML_DEPTH = 1000;

class XmlRefusal extends Error {}

/** The element tree of an XML document with one root element; never throws (a reason instead). */
export function readXmlTree(text: string): XmlTreeResult {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let start = 0;
  parser.on('doctype', () => {
    throw new XmlRefusal('DOCTYPE declarations are not allowed in FHIR XML');
  });
  parser.on('opentagstart', () => {
    // the parser has read `<name` and one character more: the tag starts at that `<`
    start = text.lastIndexOf('<', parser.position - 1);
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= MAX_XML_DEPTH) throw new XmlRefusal(`elements nested deeper than ${MAX_XML_DEPTH} levels`);
    const attributes = new Map<string, string>();
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns') continue;
      attributes.set(attribute.name, attribute.value);
    }
    const element: XmlElement = { name: tag.local, uri: tag.uri, attributes, children: [], start, end: start };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop()!.end = parser.position;
  });
  const addText = (t: string) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(t);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof XmlRefusal) return { ok: false, error: e.message };
    return { ok: false, error: `not well-formed XML: ${(e as Error).message.split('\n')[0]}` };
  }
  if (!root) return { ok: false, error: 'not well-formed XML: no root element' };
  return { ok: true, root };
}

/** The elements among a node's children. */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string');
}

/** Whether an element carries text that is not whitespace, directly. */
export function directText(element: XmlElement): string | undefined {
  for (const c of element.children) if (typeof c === 'string' && /\S/.test(c)) return c;
  return undefined;
}
