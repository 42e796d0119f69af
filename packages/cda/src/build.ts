import { bytesToBase64 } from './base64.js';
import { LOINC_OID, type InstanceId } from './metadata.js';
import { toTs } from './time.js';

/** What the header of a CDA R2 document states (CDA element names in comments). */
export interface CdaHeader {
  /** ClinicalDocument/id: the document's unique id (an OID root, optionally an extension). */
  id: InstanceId;
  /** setId and versionNumber: the document's lineage across versions (default: id, 1). */
  setId?: InstanceId;
  versionNumber?: number;
  /** code: the document type, LOINC by default (e.g. 11488-4 "Consultation note"). */
  type: { code: string; displayName: string; codeSystem?: string };
  title: string;
  /** effectiveTime: when the document was created. */
  effectiveTime: Date | string;
  /** confidentialityCode (HL7 v3 Confidentiality: N normal, R restricted, V very restricted); default N. */
  confidentiality?: 'N' | 'R' | 'V';
  /** languageCode; default fr-FR. */
  language?: string;
  /** recordTarget/patientRole: the patient as MES knows it after pairing, id root = OID, extension = idPe. */
  patient: { id: InstanceId; family?: string; given?: string; gender?: 'M' | 'F' | 'UN'; birthDate?: string };
  /** author: a person, or a device / software (the app itself). */
  author: { time?: Date | string; id: InstanceId; person?: { family: string; given?: string }; device?: { model: string; software: string } };
  /** custodian: the organisation that keeps the document. */
  custodian: { id: InstanceId; name: string };
}

/** The body of a level-1 document: a PDF (bytes or base64) or plain text. */
export type Level1Body = { pdf: Uint8Array | string } | { text: string };

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const esc = (v: string): string => v.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
const attrs = (a: Record<string, string | undefined>): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
const ii = (tag: string, id: InstanceId) => `<${tag}${attrs({ root: id.root, extension: id.extension })}/>`;

/** recordTarget/patientRole/patient: written only when something is known of the person. */
function patientLines(p: CdaHeader['patient']): string[] {
  const inner = [
    ...(p.family || p.given
      ? [`        <name>${p.given ? `<given>${esc(p.given)}</given>` : ''}${p.family ? `<family>${esc(p.family)}</family>` : ''}</name>`]
      : []),
    ...(p.gender ? [`        <administrativeGenderCode code="${p.gender}" codeSystem="2.16.840.1.113883.5.1"/>`] : []),
    ...(p.birthDate ? [`        <birthTime value="${toTs(p.birthDate)}"/>`] : []),
  ];
  return inner.length ? ['      <patient>', ...inner, '      </patient>'] : [];
}

/**
 * A CDA R2 level-1 document (IHE XDS-SD: unstructured body) around a PDF or a text, as a string.
 * Deterministic: the same input gives the same text (no generated ids or clock reads).
 */
export function buildCdaLevel1(header: CdaHeader, body: Level1Body): string {
  const h = header;
  const author = h.author;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ClinicalDocument xmlns="urn:hl7-org:v3">',
    '  <realmCode code="FR"/>',
    '  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>',
    // IHE XDS-SD (scanned/unstructured documents)
    '  <templateId root="1.3.6.1.4.1.19376.1.2.20"/>',
    `  ${ii('id', h.id)}`,
    `  <code${attrs({ code: h.type.code, codeSystem: h.type.codeSystem ?? LOINC_OID, displayName: h.type.displayName })}/>`,
    `  <title>${esc(h.title)}</title>`,
    `  <effectiveTime value="${toTs(h.effectiveTime)}"/>`,
    `  <confidentialityCode code="${h.confidentiality ?? 'N'}" codeSystem="2.16.840.1.113883.5.25"/>`,
    `  <languageCode code="${esc(h.language ?? 'fr-FR')}"/>`,
    `  ${ii('setId', h.setId ?? h.id)}`,
    `  <versionNumber value="${h.versionNumber ?? 1}"/>`,
    '  <recordTarget>',
    '    <patientRole>',
    `      ${ii('id', h.patient.id)}`,
    ...patientLines(h.patient),
    '    </patientRole>',
    '  </recordTarget>',
    '  <author>',
    `    <time value="${toTs(author.time ?? h.effectiveTime)}"/>`,
    '    <assignedAuthor>',
    `      ${ii('id', author.id)}`,
    ...(author.person
      ? [
          `      <assignedPerson><name>${author.person.given ? `<given>${esc(author.person.given)}</given>` : ''}<family>${esc(author.person.family)}</family></name></assignedPerson>`,
        ]
      : []),
    ...(author.device
      ? [
          `      <assignedAuthoringDevice><manufacturerModelName>${esc(author.device.model)}</manufacturerModelName><softwareName>${esc(author.device.software)}</softwareName></assignedAuthoringDevice>`,
        ]
      : []),
    '    </assignedAuthor>',
    '  </author>',
    '  <custodian>',
    '    <assignedCustodian>',
    '      <representedCustodianOrganization>',
    `        ${ii('id', h.custodian.id)}`,
    `        <name>${esc(h.custodian.name)}</name>`,
    '      </representedCustodianOrganization>',
    '    </assignedCustodian>',
    '  </custodian>',
    '  <component>',
    '    <nonXMLBody>',
    'pdf' in body
      ? `      <text mediaType="application/pdf" representation="B64">${typeof body.pdf === 'string' ? body.pdf : bytesToBase64(body.pdf)}</text>`
      : `      <text mediaType="text/plain">${esc(body.text)}</text>`,
    '    </nonXMLBody>',
    '  </component>',
    '</ClinicalDocument>',
  ];
  return `${lines.join('\n')}\n`;
}
