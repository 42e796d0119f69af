import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CdaMetadata, InstanceId } from './metadata.js';
import { tsToFhir } from './time.js';

/**
 * Documents longer than this (characters) are refused unread: MES takes documents inline in a
 * request of at most 10 MiB, and the XML parser holds many times a document's size (a 120 MB body
 * took 93 s and 4.25 GB).
 */
export const MAX_CDA_LENGTH = 10 * 1024 * 1024;

export type CdaReadResult = { ok: true; metadata: CdaMetadata } | { ok: false; error: string };

type Node = Record<string, unknown>;

// Elements that may repeat in a CDA header: always read as arrays.
const REPEATING = new Set(['id', 'templateId', 'recordTarget', 'patientRole', 'author', 'component', 'section', 'given', 'family', 'name']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  isArray: (name) => REPEATING.has(name),
});

const all = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const asNode = (v: unknown): Node | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined);
const list = (v: unknown): Node[] =>
  all(v)
    .map(asNode)
    .filter((n): n is Node => Boolean(n));
const first = (v: unknown): Node | undefined => list(v)[0];
const attr = (n: Node | undefined, name: string): string | undefined => {
  const v = n?.[`@${name}`];
  return typeof v === 'string' ? v : undefined;
};
const textOf = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  const n = Array.isArray(v) ? v[0] : v;
  if (typeof n === 'string') return n.trim() || undefined;
  const t = asNode(n)?.['#text'];
  return typeof t === 'string' ? t.trim() || undefined : undefined;
};
const ids = (v: unknown): InstanceId[] =>
  list(v).flatMap((n) => {
    const root = attr(n, 'root');
    if (!root) return [];
    const extension = attr(n, 'extension');
    return [extension ? { root, extension } : { root }];
  });
const personName = (v: unknown): string | undefined => {
  const n = first(v);
  return n ? [...all(n.given), ...all(n.family)].map(textOf).filter(Boolean).join(' ') || undefined : undefined;
};

/**
 * Reads a CDA R2 document (level 1 or 3) and returns its header metadata. Never throws: XML that
 * is not well-formed, or whose root is not a ClinicalDocument, gives `{ ok: false, error }`.
 */
export function readCda(xml: string): CdaReadResult {
  try {
    if (typeof xml === 'string' && xml.length > MAX_CDA_LENGTH)
      return { ok: false, error: `the CDA document is larger than 10 MiB (${xml.length} characters): not read` };
    if (typeof xml !== 'string' || !xml.trim()) return { ok: false, error: 'the CDA document is empty' };
    const wellFormed = XMLValidator.validate(xml);
    if (wellFormed !== true) {
      const { msg, line, col } = wellFormed.err;
      return { ok: false, error: `the CDA document is not well-formed XML (line ${line}, column ${col}: ${msg})` };
    }
    const doc = parser.parse(xml) as Node;
    const rootName = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
    const cd = asNode(doc.ClinicalDocument);
    if (!cd) return { ok: false, error: `the root element is ${rootName ?? 'missing'}, not ClinicalDocument (urn:hl7-org:v3)` };
    const component = first(cd.component);
    const structured = asNode(component?.structuredBody);
    const nonXml = asNode(component?.nonXMLBody);
    if (!structured && !nonXml) return { ok: false, error: 'the ClinicalDocument has no body (component/nonXMLBody or component/structuredBody)' };
    const code = asNode(cd.code);
    const typeCode = attr(code, 'code');
    const confidentiality = asNode(cd.confidentialityCode);
    const custodianOrg = asNode(asNode(asNode(cd.custodian)?.assignedCustodian)?.representedCustodianOrganization);
    const metadata: CdaMetadata = {
      level: structured ? 3 : 1,
      id: ids(cd.id)[0],
      setId: ids(cd.setId)[0],
      versionNumber: attr(asNode(cd.versionNumber), 'value'),
      title: textOf(cd.title),
      type: typeCode ? { code: typeCode, codeSystem: attr(code, 'codeSystem'), displayName: attr(code, 'displayName') } : undefined,
      effectiveTime: tsToFhir(attr(asNode(cd.effectiveTime), 'value')),
      confidentiality: attr(confidentiality, 'code') ? { code: attr(confidentiality, 'code')!, codeSystem: attr(confidentiality, 'codeSystem') } : undefined,
      language: attr(asNode(cd.languageCode), 'code'),
      patientIds: list(cd.recordTarget).flatMap((rt) => list(rt.patientRole).flatMap((pr) => ids(pr.id))),
      authors: list(cd.author).map((a) => {
        const assigned = asNode(a.assignedAuthor);
        const device = asNode(assigned?.assignedAuthoringDevice);
        return {
          time: tsToFhir(attr(asNode(a.time), 'value')),
          ids: ids(assigned?.id),
          name: personName(asNode(assigned?.assignedPerson)?.name),
          device: device ? [textOf(device.manufacturerModelName), textOf(device.softwareName)].filter(Boolean).join(' / ') || undefined : undefined,
        };
      }),
      custodian: custodianOrg ? { ids: ids(custodianOrg.id), name: textOf(custodianOrg.name) } : undefined,
      body: structured
        ? { kind: 'structuredBody', sections: list(structured.component).filter((c) => c.section !== undefined).length }
        : { kind: 'nonXMLBody', mediaType: attr(asNode(nonXml!.text), 'mediaType') ?? 'text/plain' },
    };
    return { ok: true, metadata };
  } catch (e) {
    return { ok: false, error: `the CDA document cannot be read (${(e as Error).message})` };
  }
}
