/**
 * Builders for the API Documents: a DocumentReference (PDSm simplified publish, ITI-105) around a
 * CDA R2 document, its metadata read from the CDA header, and `size`, SHA-1 `hash` and base64
 * `data` computed with Web Crypto (browsers and Node alike).
 */
import { bytesToBase64, codeSystemUri, readCda, utf8, xdsFormatCode, type CdaMetadata, type InstanceId } from '@mes-fhir/cda';
import type * as fhir4 from 'fhir/r4.js';
import { oidUri, randomUUID, type MesPatient } from './identifiers.js';
import { generatedNarrative } from './narrative.js';
import type {
  MesDocumentReference,
  MesDocumentReferenceComprehensive,
  MesProvideDocumentBundle,
  MesProvideDocumentBundle_DocumentRefs,
  MesProvideDocumentBundle_Documents,
} from '../generated/documents/types.js';

export { buildCdaLevel1, readCda, type CdaHeader, type CdaMetadata, type Level1Body } from '@mes-fhir/cda';

/** The NOS code system of the IHE format codes (XDS-SD for level-1 documents). */
export const NOS_IHE_FORMAT_CODE = 'https://mos.esante.gouv.fr/NOS/TRE_A11-IheFormatCode/FHIR/TRE-A11-IheFormatCode';
const FORMAT_DISPLAYS: Record<string, string> = {
  'urn:ihe:iti:xds-sd:pdf:2008': 'Document à corps non structuré en Pdf/A-1',
  'urn:ihe:iti:xds-sd:text:2008': 'Document à corps non structuré en texte brut',
};

/** Thrown when the given document cannot be published: not a CDA, or metadata that cannot be derived. */
export class DocumentBuildError extends Error {
  override name = 'DocumentBuildError';
}

/** An HL7 v3 id as a FHIR Identifier, as MHD maps XDS ids (`root` alone, or `root^extension`). */
const identifierOf = (id: InstanceId): { system: string; value: string } =>
  id.extension ? { system: oidUri(id.root), value: id.extension } : { system: 'urn:ietf:rfc:3986', value: oidUri(id.root) };

/** The masterIdentifier of a CDA id (the XDS uniqueId). */
function masterIdentifier(id: CdaMetadata['id']): { system: string; value: string } {
  if (!id) throw new DocumentBuildError('the CDA document has no ClinicalDocument/id');
  return identifierOf(id);
}

/** The CDA's first author as a logical reference: a device (the app) or a person. */
function authorOf(cda: CdaMetadata): fhir4.Reference {
  const author = cda.authors[0];
  const id = author?.ids[0];
  if (!author || !id) throw new DocumentBuildError('the CDA document has no author/assignedAuthor/id: give `author`');
  return {
    type: author.device ? 'Device' : 'Practitioner',
    identifier: identifierOf(id),
    ...(author.device || author.name ? { display: author.device ?? author.name } : {}),
  };
}

/** A CDA read for publication: its metadata, bytes, base64, size and SHA-1 (base64), and its format. */
async function prepare(cdaText: string, format?: fhir4.Coding) {
  const read = readCda(cdaText);
  if (!read.ok) throw new DocumentBuildError(read.error);
  const cda = read.metadata;
  if (!cda.type) throw new DocumentBuildError('the CDA document has no ClinicalDocument/code (its type)');
  if (!cda.effectiveTime) throw new DocumentBuildError('the CDA document has no effectiveTime');
  if (!cda.title) throw new DocumentBuildError('the CDA document has no title');
  const xds = xdsFormatCode(cda);
  const chosen = format ?? (xds ? { system: NOS_IHE_FORMAT_CODE, code: xds, display: FORMAT_DISPLAYS[xds] } : undefined);
  if (!chosen?.system || !chosen.code)
    throw new DocumentBuildError('a level-3 CDA document needs its format code (`format`): it depends on the CI-SIS document model');
  const bytes = utf8(cdaText);
  const sha1 = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', bytes));
  return {
    cda,
    type: cda.type,
    effectiveTime: cda.effectiveTime,
    title: cda.title,
    base64: bytesToBase64(bytes),
    size: bytes.length,
    hash: bytesToBase64(sha1),
    format: { system: chosen.system, code: chosen.code, ...(chosen.display ? { display: chosen.display } : {}) },
  };
}

/** What a DocumentReference's narrative says: the document's title, type and date, from its CDA header. */
const documentNarrative = (doc: Awaited<ReturnType<typeof prepare>>) =>
  generatedNarrative([doc.title, doc.type.displayName ?? doc.type.code, doc.effectiveTime]);

const typeOf = (t: NonNullable<CdaMetadata['type']>) => ({
  coding: [{ system: codeSystemUri(t.codeSystem) ?? 'http://loinc.org', code: t.code, ...(t.displayName ? { display: t.displayName } : {}) }],
});
const securityLabelOf = (cda: CdaMetadata): fhir4.CodeableConcept[] =>
  cda.confidentiality
    ? [
        {
          coding: [
            {
              system: codeSystemUri(cda.confidentiality.codeSystem) ?? 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
              code: cda.confidentiality.code,
            },
          ],
        },
      ]
    : [];

/**
 * The DocumentReference that publishes a CDA R2 document to MES (profile mes-documentreference):
 * type, title, creation time and confidentiality from the CDA header, the patient as after pairing,
 * the format from the CDA body (XDS-SD for level 1; give `format` for a level-3 document).
 *
 * @example await documentReference({ cda, patient })
 */
export async function documentReference(f: {
  /** The CDA R2 document, as XML text. */
  cda: string;
  patient: MesPatient;
  /** Default: the CDA's first author, as a logical reference. */
  author?: fhir4.Reference;
  /** XDS class code (category), e.g. TRE_A03-ClasseDocument. */
  category?: fhir4.Coding;
  /** The format code of a level-3 document (its CI-SIS model); level 1 derives it from the body. */
  format?: fhir4.Coding;
  description?: string;
  /** DocumentReference.date; default: the CDA's effectiveTime. */
  date?: string;
  id?: string;
}): Promise<MesDocumentReference> {
  const doc = await prepare(f.cda, f.format);
  const { cda } = doc;
  return {
    resourceType: 'DocumentReference',
    ...(f.id ? { id: f.id } : {}),
    text: documentNarrative(doc),
    masterIdentifier: masterIdentifier(cda.id),
    status: 'current',
    type: typeOf(doc.type),
    ...(f.category ? { category: [{ coding: [f.category] }] } : {}),
    subject: { identifier: { system: oidUri(f.patient.oid), value: f.patient.idPe } },
    date: f.date ?? doc.effectiveTime,
    author: [f.author ?? authorOf(cda)],
    ...(f.description ? { description: f.description } : {}),
    ...(cda.confidentiality ? { securityLabel: securityLabelOf(cda) } : {}),
    content: [
      {
        attachment: {
          contentType: 'text/xml',
          ...(cda.language ? { language: cda.language } : {}),
          data: doc.base64,
          size: doc.size,
          hash: doc.hash,
          title: doc.title,
          creation: doc.effectiveTime,
        },
        format: doc.format,
      },
    ],
  };
}

const MHD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/';

/** One document of a lot, with the XDS metadata a CDA header does not carry. */
export interface LotDocument {
  cda: string;
  /** XDS class code (DocumentReference.category), e.g. TRE_A03-ClasseDocument. */
  category: fhir4.Coding;
  /** XDS healthcareFacilityTypeCode and practiceSettingCode (context.facilityType, context.practiceSetting). */
  facilityType: fhir4.Coding;
  practiceSetting: fhir4.Coding;
  /** The format code of a level-3 document; level 1 derives it from the body. */
  format?: fhir4.Coding;
  description?: string;
}

/**
 * The transaction Bundle that publishes a lot of CDA R2 documents (PDSm ITI-65, profile
 * mes-bundle-provide-document): the SubmissionSet, one DocumentReference per document and the
 * Binary that carries each CDA. The app is the source and author (a contained Device); the
 * authenticating organisation and the patient are contained in each DocumentReference, as PDSm
 * requires (aggregation "contained").
 *
 * @example await provideDocumentBundle({ documents, patient, app, authenticator, submissionSetOid, designationType })
 */
export async function provideDocumentBundle(f: {
  documents: LotDocument[];
  patient: MesPatient;
  /** The publishing app: its OID (also the XDS sourceId), an identifier under it and its name. */
  app: { oid: string; id: string; name: string };
  authenticator: { name: string; identifier: fhir4.Identifier };
  /** XDS uniqueId of the submission set (an OID). */
  submissionSetOid: string;
  /** XDS contentTypeCode of the lot (SubmissionSet designationType), e.g. JDV_J03-XdsContentTypeCode-CISIS. */
  designationType: fhir4.Coding;
  /** Submission time; default: now. */
  date?: string;
}): Promise<MesProvideDocumentBundle> {
  if (f.documents.length === 0) throw new DocumentBuildError('a lot needs at least one document');
  const subject = { identifier: { system: oidUri(f.patient.oid), value: f.patient.idPe } };
  const appDevice = (id: string): fhir4.Device => ({
    resourceType: 'Device',
    id,
    identifier: [{ system: oidUri(f.app.oid), value: f.app.id }],
    deviceName: [{ name: f.app.name, type: 'user-friendly-name' }],
  });
  const entries: MesProvideDocumentBundle_DocumentRefs[] = [];
  const binaries: MesProvideDocumentBundle_Documents[] = [];
  const items: fhir4.ListEntry[] = [];
  for (const d of f.documents) {
    const doc = await prepare(d.cda, d.format);
    const drId = randomUUID();
    const binaryId = randomUUID();
    const document: MesDocumentReferenceComprehensive = {
      resourceType: 'DocumentReference',
      id: drId,
      text: documentNarrative(doc),
      contained: [
        appDevice('author'),
        { resourceType: 'Organization', id: 'authenticator', identifier: [f.authenticator.identifier], name: f.authenticator.name },
        { resourceType: 'Patient', id: 'patient', identifier: [subject.identifier] },
      ],
      masterIdentifier: masterIdentifier(doc.cda.id),
      status: 'current',
      type: typeOf(doc.type),
      category: [{ coding: [d.category] }],
      subject,
      date: f.date ?? doc.effectiveTime,
      author: [{ reference: '#author' }],
      authenticator: { reference: '#authenticator' },
      ...(d.description ? { description: d.description } : {}),
      securityLabel: securityLabelOf(doc.cda).length
        ? securityLabelOf(doc.cda)
        : [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }] }],
      content: [
        {
          attachment: {
            contentType: 'text/xml',
            language: doc.cda.language ?? 'fr-FR',
            url: `urn:uuid:${binaryId}`,
            size: doc.size,
            hash: doc.hash,
            title: doc.title,
            creation: doc.effectiveTime,
          },
          format: doc.format,
        },
      ],
      context: {
        period: { start: doc.effectiveTime },
        facilityType: { coding: [d.facilityType] },
        practiceSetting: { coding: [d.practiceSetting] },
        sourcePatientInfo: { reference: '#patient' },
      },
    };
    entries.push({ fullUrl: `urn:uuid:${drId}`, resource: document, request: { method: 'POST', url: 'DocumentReference' } });
    binaries.push({
      fullUrl: `urn:uuid:${binaryId}`,
      resource: { resourceType: 'Binary', id: binaryId, contentType: 'text/xml', data: doc.base64 },
      request: { method: 'POST', url: 'Binary' },
    });
    items.push({ item: { reference: `urn:uuid:${drId}` } });
  }
  const listId = randomUUID();
  const submissionSet: fhir4.List = {
    resourceType: 'List',
    id: listId,
    text: generatedNarrative([`Submission set of ${f.documents.length} document(s)`, f.app.name]),
    contained: [appDevice('source')],
    extension: [
      { url: `${MHD}ihe-designationType`, valueCodeableConcept: { coding: [f.designationType] } },
      { url: `${MHD}ihe-sourceId`, valueIdentifier: { value: oidUri(f.app.oid) } },
    ],
    identifier: [{ use: 'usual', system: 'urn:ietf:rfc:3986', value: oidUri(f.submissionSetOid) }],
    status: 'current',
    mode: 'working',
    code: { coding: [{ system: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes', code: 'submissionset' }] },
    subject,
    date: f.date ?? new Date().toISOString(),
    source: { reference: '#source' },
    entry: items,
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [{ fullUrl: `urn:uuid:${listId}`, resource: submissionSet, request: { method: 'POST', url: 'List' } }, ...entries, ...binaries],
  };
}
