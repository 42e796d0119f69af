/** An HL7 v3 instance identifier (`<id root="…" extension="…"/>`). */
export interface InstanceId {
  root: string;
  extension?: string;
}

export const LOINC_OID = '2.16.840.1.113883.6.1';
export const CONFIDENTIALITY_OID = '2.16.840.1.113883.5.25';

/** The XDS/MHD metadata a CDA R2 document carries in its header and the shape of its body. */
export interface CdaMetadata {
  /** 1: unstructured body (nonXMLBody); 3: structured body (structuredBody). */
  level: 1 | 3;
  id?: InstanceId;
  setId?: InstanceId;
  versionNumber?: string;
  title?: string;
  /** ClinicalDocument/code: the document type. */
  type?: { code: string; codeSystem?: string; displayName?: string };
  /** effectiveTime as a FHIR dateTime. */
  effectiveTime?: string;
  confidentiality?: { code: string; codeSystem?: string };
  language?: string;
  /** recordTarget/patientRole/id: every identifier of the patient. */
  patientIds: InstanceId[];
  authors: Array<{ time?: string; ids: InstanceId[]; name?: string; device?: string }>;
  custodian?: { ids: InstanceId[]; name?: string };
  /** Level 1: the media type of the embedded content. Level 3: the number of sections. */
  body: { kind: 'nonXMLBody'; mediaType?: string } | { kind: 'structuredBody'; sections: number };
}

/** The FHIR code system url of an OID named by a CDA document. */
export function codeSystemUri(oid: string | undefined): string | undefined {
  if (!oid) return undefined;
  if (oid === LOINC_OID) return 'http://loinc.org';
  if (oid === CONFIDENTIALITY_OID) return 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
  return `urn:oid:${oid}`;
}

/**
 * The IHE format code of a document, where its body decides it: XDS-SD for level-1 PDF and text
 * bodies. Level-3 format codes depend on the document model (CI-SIS volet): undefined.
 */
export function xdsFormatCode(meta: CdaMetadata): string | undefined {
  if (meta.body.kind !== 'nonXMLBody') return undefined;
  if (meta.body.mediaType === 'application/pdf') return 'urn:ihe:iti:xds-sd:pdf:2008';
  if (meta.body.mediaType === 'text/plain') return 'urn:ihe:iti:xds-sd:text:2008';
  return undefined;
}
