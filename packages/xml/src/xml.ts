import { isObject, type Json } from '@mes-fhir/core';
import { isPrimitiveType, jsonNames, type ElementNode, type StructureModel, type TypeRef } from '@mes-fhir/profile-model';
import { childElements, directText, readXmlTree, type XmlElement } from './xml-tree.js';
import { readXhtml } from './xhtml.js';

const FHIR_NS = 'http://hl7.org/fhir';
const SYSTEM_STRING = 'http://hl7.org/fhirpath/System.String';
const NUMERIC = new Set(['integer', 'positiveInt', 'unsignedInt', 'decimal', 'integer64']);
/** Nesting deeper than this is refused (hostile input), as the validator does. */
const MAX_DEPTH = 100;

export type FromXmlResult = { ok: true; resource: Json } | { ok: false; error: string };

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
    if (code === 'xhtml') {
      if (typeof value !== 'string') return '';
      // written as is only once the parser has read it as one element: a div cannot close the document's elements early
      const div = readXhtml(value);
      if (!div.ok) throw new Error(`${node.path}: ${div.error}`);
      return value;
    }
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
    const tree = readXmlTree(text);
    if (!tree.ok) return tree;
    if (tree.root.uri !== FHIR_NS) return { ok: false, error: `the resource is not in the FHIR namespace (xmlns="${FHIR_NS}")` };
    try {
      return { ok: true, resource: this.readResource(tree.root, text, 0) };
    } catch (e) {
      if (e instanceof FhirXmlError) return { ok: false, error: e.message };
      throw e;
    }
  }

  private readResource(element: XmlElement, text: string, depth: number): Json {
    const type = element.name;
    const tree = this.model.typeTree(type);
    const resource: Json = { resourceType: type };
    if (!tree || tree.sd.kind !== 'resource') return resource; // the validator says it is unknown
    this.readChildren(element, tree.root.children, resource, text, depth + 1, true);
    return resource;
  }

  private readChildren(parent: XmlElement, children: ElementNode[], into: Json, text: string, depth: number, isResource: boolean): void {
    if (depth > MAX_DEPTH) throw new FhirXmlError(`nesting deeper than ${MAX_DEPTH} levels`);
    const stray = directText(parent);
    if (stray !== undefined)
      throw new FhirXmlError(`text is not allowed in the FHIR element <${parent.name}> (values go in a value attribute): "${clip(stray)}"`);
    const byName = new Map<string, { node: ElementNode; type: TypeRef }>();
    for (const child of children) {
      if (child.sliceName) continue;
      for (const { name, type } of jsonNames(child)) byName.set(name, { node: child, type });
    }
    for (const x of childElements(parent)) {
      const name = x.name;
      const known = byName.get(name);
      // the narrative is in the XHTML namespace (the validator says so when it is not); everything else in FHIR's
      if (x.uri !== FHIR_NS && known?.type.code !== 'xhtml') throw new FhirXmlError(`the element <${name}> in <${parent.name}> is not in the FHIR namespace`);
      if (!known || (!isResource && name === 'id')) {
        // unknown to the definitions: kept, for the validator to report
        into[name] = x.attributes.get('value') ?? {};
        continue;
      }
      const { node, type } = known;
      const code = type.code === SYSTEM_STRING ? 'string' : type.code;
      const many = node.isArray;
      // XML readers keep the last of a repeated element silently: a single-valued one is refused instead
      if (!many && (name in into || `_${name}` in into)) throw new FhirXmlError(`<${name}> occurs more than once in <${parent.name}>: ${node.path} allows one`);
      const put = (key: string, value: unknown) => {
        if (!many) into[key] = value;
        else into[key] = [...((into[key] as unknown[] | undefined) ?? []), value];
      };
      if (code === 'xhtml') {
        // the narrative, byte for byte, as the parser delimited it (comments and CDATA inside it stay there)
        put(name, text.slice(x.start, x.end));
        continue;
      }
      if (isPrimitiveType(code)) {
        const extra: Json = {};
        const id = x.attributes.get('id');
        if (id !== undefined) extra.id = id;
        const extensions = childElements(x).map((e) => {
          if (e.name !== 'extension' || e.uri !== FHIR_NS) throw new FhirXmlError(`<${e.name}> is not allowed in the primitive <${name}> (only extensions)`);
          return this.readComplex(e, this.model.typeTree('Extension')!.root.children, 'Extension', text, depth + 1);
        });
        if (directText(x) !== undefined) throw new FhirXmlError(`text is not allowed in <${name}> (its value goes in the value attribute)`);
        if (extensions.length) extra.extension = extensions;
        const raw = x.attributes.get('value');
        const value = raw === undefined ? null : primitiveValue(code, raw);
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
        const inner = childElements(x);
        if (inner.length > 1) throw new FhirXmlError(`<${name}> holds ${inner.length} resources: one is allowed`);
        put(name, inner[0] ? this.readResource(inner[0], text, depth + 1) : {});
        continue;
      }
      const children = code === 'Extension' ? this.model.typeTree('Extension')!.root.children : this.model.childrenFor(node, type);
      put(name, this.readComplex(x, children, code, text, depth + 1));
    }
    // primitive arrays: JSON writes null where an item has only an extension (and the reverse)
    for (const value of Object.values(into)) {
      if (Array.isArray(value)) for (let i = 0; i < value.length; i++) if (value[i] === undefined) value[i] = null;
    }
  }

  private readComplex(x: XmlElement, children: ElementNode[], code: string, text: string, depth: number): Json {
    const value: Json = {};
    const id = x.attributes.get('id');
    if (id !== undefined) value.id = id;
    const url = x.attributes.get('url');
    if (code === 'Extension' && url !== undefined) value.url = url;
    this.readChildren(x, children, value, text, depth, false);
    return value;
  }
}

/** A resource that is well-formed XML but not FHIR XML. */
class FhirXmlError extends Error {}

const clip = (s: string) => (s.trim().length > 40 ? `${s.trim().slice(0, 40)}…` : s.trim());

/** JSON value of a primitive's `value` attribute. */
function primitiveValue(code: string, text: string): unknown {
  if (code === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (NUMERIC.has(code) && /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}
