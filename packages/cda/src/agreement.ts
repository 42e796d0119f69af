import { codeSystemUri, xdsFormatCode, type CdaMetadata } from './metadata.js';
import { instantOf } from './time.js';

/** The XDS metadata a document's description states (a DocumentReference, in FHIR terms). */
export interface StatedMetadata {
  /** Codes of the document type (system url and code). */
  types: Array<{ system?: string; code?: string }>;
  /** The patient identifier: `urn:oid:<root>` and the extension. */
  patient?: { system?: string; value?: string };
  /** Creation time (FHIR dateTime). */
  creation?: string;
  /** Format code. */
  format?: string;
}

export interface Disagreement {
  field: 'type' | 'patient' | 'creation' | 'format';
  message: string;
}

/**
 * Where the stated metadata disagree with the CDA header: type (ClinicalDocument/code), patient
 * (recordTarget ids), creation time (effectiveTime, as an instant) and format (XDS-SD codes say
 * what a level-1 body holds; a level-3 document is not XDS-SD). Fields left unstated are not compared.
 */
export function compareWithHeader(stated: StatedMetadata, cda: CdaMetadata): Disagreement[] {
  const out: Disagreement[] = [];
  if (cda.type && stated.types.length) {
    const system = codeSystemUri(cda.type.codeSystem);
    if (!stated.types.some((c) => c.code === cda.type!.code && (!c.system || !system || c.system === system))) {
      const given = stated.types.map((c) => `${c.system ?? ''}#${c.code ?? ''}`).join(', ');
      out.push({ field: 'type', message: `the document type ${given} does not match the CDA document's code ${system ?? ''}#${cda.type.code}` });
    }
  }
  const { system, value } = stated.patient ?? {};
  if (system && value && cda.patientIds.length) {
    const oid = system.replace(/^urn:oid:/, '');
    if (!cda.patientIds.some((id) => id.root === oid && id.extension === value)) {
      const ids = cda.patientIds.map((id) => `${id.root}${id.extension ? `^${id.extension}` : ''}`).join(', ');
      out.push({ field: 'patient', message: `the patient ${system}|${value} is not the patient of the CDA document (recordTarget ids: ${ids})` });
    }
  }
  const a = instantOf(stated.creation);
  const b = instantOf(cda.effectiveTime);
  if (a !== undefined && b !== undefined && a !== b) {
    out.push({ field: 'creation', message: `creation ${stated.creation} is not the CDA document's effectiveTime ${cda.effectiveTime}` });
  }
  const expected = xdsFormatCode(cda);
  if (stated.format && expected && stated.format !== expected) {
    const body = cda.body.kind === 'nonXMLBody' ? cda.body.mediaType : 'structured';
    out.push({ field: 'format', message: `format ${stated.format} does not match the CDA body (${body}), which is ${expected}` });
  } else if (stated.format && cda.level === 3 && stated.format.startsWith('urn:ihe:iti:xds-sd:')) {
    out.push({
      field: 'format',
      message: `format ${stated.format} is for unstructured (level 1) documents, but the CDA document has a structured body (level 3)`,
    });
  }
  return out;
}
