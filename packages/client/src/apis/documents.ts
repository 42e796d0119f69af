/** The API Documents: publish (ITI-105, or a lot by ITI-65), search (ITI-67), retrieve (ITI-68). */
import type * as fhir4 from 'fhir/r4.js';
import { base64ToBytes, bytesToBase64 } from '@mes-fhir/cda';
import type { MesDocumentReference, MesProvideDocumentBundle } from '@mes-fhir/profiles/documents';
import type { MesPatient } from '@mes-fhir/profiles/mesures';
import { checkBeforeSending, type LocalCheck } from '../check.js';
import { MesApiError } from '../errors.js';
import type { CallOptions, Http } from '../http.js';
import { patientSearchValue, searchMatches, type SearchParams } from '../search.js';

const PUBLISH = 'https://mes-fhir.org/fhir/StructureDefinition/mes-documentreference';
const LOT = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-provide-document';

export class DocumentsApi {
  constructor(
    private readonly http: Http,
    private readonly check?: LocalCheck,
  ) {}

  /** Publishes one document, its bytes inline (`documentReference()` of @mes-fhir/profiles/documents builds it). */
  async publish(document: MesDocumentReference, options: CallOptions = {}): Promise<fhir4.DocumentReference> {
    checkBeforeSending(this.check, document, PUBLISH);
    return (await this.http.request<fhir4.DocumentReference>('POST', 'DocumentReference', { body: document, signal: options.signal })).body;
  }

  /** Publishes a lot of documents in one transaction (`provideDocumentBundle()`); MES's transaction-response Bundle. */
  async publishLot(lot: MesProvideDocumentBundle, options: CallOptions = {}): Promise<fhir4.Bundle> {
    checkBeforeSending(this.check, lot, LOT);
    return (await this.http.request<fhir4.Bundle>('POST', '', { body: lot, signal: options.signal })).body;
  }

  /** The patient's documents, with further parameters as MES takes them (`type`, `date`…). */
  search(patient: MesPatient, params: SearchParams = {}, options: CallOptions = {}): AsyncGenerator<fhir4.DocumentReference> {
    return searchMatches<fhir4.DocumentReference>(this.http, 'DocumentReference', { 'patient.identifier': patientSearchValue(patient), ...params }, options);
  }

  /** The bytes of a document: its first content's attachment, inline or fetched from its url. */
  async retrieve(document: fhir4.DocumentReference, options: CallOptions = {}): Promise<Uint8Array> {
    const attachment = document.content?.[0]?.attachment;
    let bytes: Uint8Array;
    if (attachment?.data !== undefined) bytes = base64ToBytes(attachment.data);
    else if (!attachment?.url) throw new MesApiError('not-found', `DocumentReference/${document.id ?? '?'} has neither data nor url`, 0);
    else {
      const binary = (await this.http.request<fhir4.Binary>('GET', attachment.url, options)).body;
      if (binary?.resourceType !== 'Binary' || typeof binary.data !== 'string')
        throw new MesApiError('server-error', `${attachment.url} did not answer a Binary with its data`, 200);
      bytes = base64ToBytes(binary.data);
    }
    // the bytes are those the DocumentReference describes, or the app is told
    if (attachment.size !== undefined && attachment.size !== bytes.length)
      throw new MesApiError('server-error', `the document has ${bytes.length} bytes, its DocumentReference says ${attachment.size}`, 200);
    if (attachment.hash !== undefined) {
      const sha1 = bytesToBase64(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>)));
      if (sha1 !== attachment.hash)
        throw new MesApiError('server-error', `the document's SHA-1 is ${sha1}, its DocumentReference says ${attachment.hash}`, 200);
    }
    return bytes;
  }
}
