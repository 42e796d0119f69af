import { XMLParser } from 'fast-xml-parser';
import { isObject, type Json } from '@mes-fhir/core';
import { isPrimitiveType, jsonNames, type ElementNode, type StructureModel, type TypeRef } from '@mes-fhir/profile-model';

const FHIR_NS = 'http://hl7.org/fhir';
const SYSTEM_STRING = 'http://hl7.org/fhirpath/System.String';
const NUMERIC = new Set(['integer', 'positiveInt', 'unsignedInt', 'decimal', 'integer64']);
/** Nesting deeper than this is refused (hostile input), as the validator does. */
const MAX_DEPTH = 100;

/** fast-xml-parser's ordered form: one key (the tag) plus ":@" (attributes) per node. */
type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

export type FromXmlResult = { ok: true; resource: Json } | { ok: false; error: string };

const tagOf = (n: XmlNode) => Object.keys(n).find((k) => k !== ':@')!;

function escapeAttribute(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/**
 * FHIR R4 XML ↔ JSON, as the FHIR specification maps them, driven by the StructureDefinitions of
 * the loaded packages (element order, JSON arrays and primitive types come from the definitions):
 * primitives as `value` attributes with their `id` and extensions (`_field` in JSON), element ids
 * and Extension.url as attributes, resources wrapped in their element, the narrative's XHTML kept
 * byte for byte. XML elements the definitions do not know are kept in the JSON under their name,
 * so that the validator reports them.
 */
export class FhirXml {
  constructor(private readonly model: StructureModel) {}

  // ---- JSON → XML ---------------------------------------------------------------------------

  /** The XML of a JSON resource (throws on something that is not a resource of a known type). */
  toXml(resource: unknown): string {
    if (!isObject(resource) || typeof resource.resourceType !== 'string') throw new Error('not a FHIR resource (no resourceType)');
    const tree = this.model.typeTree(resource.resourceType);
    if (!tree) throw new Error(`unknown resource type ${resource.resourceType}`);
    return `<?xml version="1.0" encoding="UTF-8"?>\n${this.resourceXml(resource)}\n`;
  }

  private resourceXml(resource: Json): string {
    const type = String(resource.resourceType);
    const tree = this.model.typeTree(type);
    if (!tree) throw new Error(`unknown resource type ${type}`);
    return `<${type} xmlns="${FHIR_NS}">${this.childrenXml(resource, tree.root.children, true)}</${type}>`;
  }

  /** The children of a JSON object, in the definition's order. */
  private childrenXml(obj: Json, children: ElementNode[], isResource: boolean): string {
    let out = '';
    for (const child of children) {
      if (child.sliceName) continue;
      for (const { name, type } of jsonNames(child)) {
        if (!(name in obj) && !(`_${name}` in obj)) continue;
        // ids of elements and Extension.url are attributes, written by the parent
        if (!isResource && name === 'id') continue;
        if (name === 'url' && child.path.startsWith('Extension.') && child.path.split('.').length === 2) continue;
        const values = obj[name];
        const extras = obj[`_${name}`];
        const list = Array.isArray(values) ? values : values === undefined ? [] : [values];
        const extraList = Array.isArray(extras) ? extras : extras === undefined ? [] : [extras];
        const count = Math.max(list.length, extraList.length);
        for (let i = 0; i < count; i++) out += this.valueXml(name, list[i], extraList[i], child, type);
      }
    }
    return out;
  }

  private valueXml(name: string, value: unknown, extra: unknown, node: ElementNode, type: TypeRef): string {
    const code = type.code === SYSTEM_STRING ? 'string' : type.code;
    if (code === 'xhtml') return typeof value === 'string' ? value : '';
    if (isPrimitiveType(code)) {
      const attrs = `${isObject(extra) && typeof extra.id === 'string' ? ` id="${escapeAttribute(extra.id)}"` : ''}${value === undefined || value === null ? '' : ` value="${escapeAttribute(String(value))}"`}`;
      const extensions =
        isObject(extra) && Array.isArray(extra.extension)
          ? extra.extension.map((e) => this.valueXml('extension', e, undefined, node, { code: 'Extension', profiles: [], targetProfiles: [] })).join('')
          : '';
      return extensions ? `<${name}${attrs}>${extensions}</${name}>` : `<${name}${attrs}/>`;
    }
    if (!isObject(value)) return '';
    if (code === 'Resource' || this.model.typeTree(code)?.sd.kind === 'resource') {
      return typeof value.resourceType === 'string' && this.model.typeTree(value.resourceType) ? `<${name}>${this.resourceXml(value)}</${name}>` : '';
    }
    const attrs = `${typeof value.id === 'string' ? ` id="${escapeAttribute(value.id)}"` : ''}${code === 'Extension' && typeof value.url === 'string' ? ` url="${escapeAttribute(value.url)}"` : ''}`;
    const children = code === 'Extension' ? this.model.typeTree('Extension')!.root.children : this.model.childrenFor(node, type);
    const inner = this.childrenXml(value, children, false);
    return inner ? `<${name}${attrs}>${inner}</${name}>` : `<${name}${attrs}/>`;
  }

  // ---- XML → JSON ---------------------------------------------------------------------------

  /** The JSON of an XML resource; never throws (a reason instead). */
  fromXml(text: string): FromXmlResult {
    try {
      if (/<!DOCTYPE/i.test(text)) return { ok: false, error: 'DOCTYPE declarations are not allowed in FHIR XML' };
      const { xml, raw } = extractXhtml(text);
      const parser = new XMLParser({
        preserveOrder: true,
        ignoreAttributes: false,
        attributeNamePrefix: '',
        parseAttributeValue: false,
        parseTagValue: false,
        trimValues: false,
        processEntities: true,
        htmlEntities: true,
        ignoreDeclaration: true,
        ignorePiTags: true,
      });
      const nodes = parser.parse(xml) as XmlNode[];
      const roots = nodes.filter((n) => !('#text' in n) && !('#comment' in n));
      if (roots.length !== 1) return { ok: false, error: 'expected one root element (the resource)' };
      const root = roots[0]!;
      const attrs = root[':@'] ?? {};
      if (attrs.xmlns !== FHIR_NS) return { ok: false, error: `the resource is not in the FHIR namespace (xmlns="${FHIR_NS}")` };
      return { ok: true, resource: this.readResource(root, raw, 0) };
    } catch (e) {
      return { ok: false, error: `not well-formed XML: ${(e as Error).message.split('\n')[0]}` };
    }
  }

  private readResource(node: XmlNode, raw: string[], depth: number): Json {
    const type = tagOf(node);
    const tree = this.model.typeTree(type);
    const resource: Json = { resourceType: type };
    if (!tree || tree.sd.kind !== 'resource') return resource; // the validator says it is unknown
    this.readChildren(node[type] as XmlNode[], tree.root.children, resource, raw, depth + 1, true);
    return resource;
  }

  private readChildren(xmlChildren: XmlNode[], children: ElementNode[], into: Json, raw: string[], depth: number, isResource: boolean): void {
    if (depth > MAX_DEPTH) throw new Error(`nesting deeper than ${MAX_DEPTH} levels`);
    const byName = new Map<string, { node: ElementNode; type: TypeRef }>();
    for (const child of children) {
      if (child.sliceName) continue;
      for (const { name, type } of jsonNames(child)) byName.set(name, { node: child, type });
    }
    for (const x of xmlChildren) {
      if ('#text' in x || '#comment' in x) continue;
      const name = tagOf(x);
      const known = byName.get(name);
      if (!known || (!isResource && name === 'id')) {
        // unknown to the definitions: kept, for the validator to report
        into[name] = x[':@']?.value ?? {};
        continue;
      }
      const { node, type } = known;
      const code = type.code === SYSTEM_STRING ? 'string' : type.code;
      const attrs = x[':@'] ?? {};
      const many = node.isArray;
      const put = (key: string, value: unknown) => {
        if (!many) into[key] = value;
        else into[key] = [...((into[key] as unknown[] | undefined) ?? []), value];
      };
      if (code === 'xhtml') {
        const index = Number(attrs['mes-raw']);
        put(name, raw[index] ?? '');
        continue;
      }
      if (isPrimitiveType(code)) {
        const extensions = (x[name] as XmlNode[]).filter((c) => !('#text' in c) && !('#comment' in c) && tagOf(c) === 'extension');
        const extra: Json = {};
        if (attrs.id !== undefined) extra.id = attrs.id;
        if (extensions.length)
          extra.extension = extensions.map((e) => this.readComplex(e, this.model.typeTree('Extension')!.root.children, 'Extension', raw, depth + 1));
        const value = attrs.value === undefined ? null : primitiveValue(code, attrs.value);
        const hasExtra = Object.keys(extra).length > 0;
        if (!many) {
          if (value !== null) into[name] = value;
          if (hasExtra) into[`_${name}`] = extra;
        } else {
          const values = ((into[name] as unknown[] | undefined) ?? []) as unknown[];
          const extras = ((into[`_${name}`] as unknown[] | undefined) ?? []) as unknown[];
          const index = Math.max(values.length, extras.length);
          values[index] = value;
          if (hasExtra) extras[index] = extra;
          into[name] = values;
          if (hasExtra || extras.length) into[`_${name}`] = extras;
        }
        continue;
      }
      if (code === 'Resource' || this.model.typeTree(code)?.sd.kind === 'resource') {
        const inner = (x[name] as XmlNode[]).find((c) => !('#text' in c) && !('#comment' in c));
        put(name, inner ? this.readResource(inner, raw, depth + 1) : {});
        continue;
      }
      const children = code === 'Extension' ? this.model.typeTree('Extension')!.root.children : this.model.childrenFor(node, type);
      put(name, this.readComplex(x, children, code, raw, depth + 1));
    }
    // primitive arrays: JSON writes null where an item has only an extension (and the reverse)
    for (const value of Object.values(into)) {
      if (Array.isArray(value)) for (let i = 0; i < value.length; i++) if (value[i] === undefined) value[i] = null;
    }
  }

  private readComplex(x: XmlNode, children: ElementNode[], code: string, raw: string[], depth: number): Json {
    const name = tagOf(x);
    const attrs = x[':@'] ?? {};
    const value: Json = {};
    if (attrs.id !== undefined) value.id = attrs.id;
    if (code === 'Extension' && attrs.url !== undefined) value.url = attrs.url;
    this.readChildren(x[name] as XmlNode[], children, value, raw, depth, false);
    return value;
  }
}

/** JSON value of a primitive's `value` attribute. */
function primitiveValue(code: string, text: string): unknown {
  if (code === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (NUMERIC.has(code) && /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

/**
 * Takes the narrative XHTML (`<div xmlns="http://www.w3.org/1999/xhtml">…</div>`) out of the text
 * before parsing, so that JSON gets it byte for byte; a placeholder stands in its place.
 */
export function extractXhtml(text: string): { xml: string; raw: string[] } {
  const raw: string[] = [];
  let out = '';
  let i = 0;
  const open = /<div\b[^>]*xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml["'][^>]*>/g;
  for (;;) {
    open.lastIndex = i;
    const m = open.exec(text);
    if (!m) break;
    const start = m.index;
    let end: number;
    if (m[0].endsWith('/>')) end = start + m[0].length;
    else {
      // find the matching </div>, counting nested divs
      const tag = /<(\/?)div\b[^>]*?(\/?)>/g;
      tag.lastIndex = start + m[0].length;
      let depth = 1;
      end = -1;
      for (let t = tag.exec(text); t; t = tag.exec(text)) {
        if (t[2] === '/') continue;
        depth += t[1] ? -1 : 1;
        if (depth === 0) {
          end = t.index + t[0].length;
          break;
        }
      }
      if (end < 0) break; // unbalanced: left to the parser, which will say so
    }
    out += `${text.slice(i, start)}<div mes-raw="${raw.length}"/>`;
    raw.push(text.slice(start, end));
    i = end;
  }
  return { xml: out + text.slice(i), raw };
}
