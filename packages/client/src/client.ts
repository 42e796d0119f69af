/**
 * A client of the Mon espace santé APIs for one app: its token source, the three APIs, and the
 * generic call for the rest. `fetch` only, no Node built-in: it runs in Node 20+ and in browsers.
 */
import { AppointmentsApi } from './apis/agenda.js';
import { DocumentsApi } from './apis/documents.js';
import { MeasuresApi } from './apis/mesures.js';
import type { LocalCheck } from './check.js';
import { Http, type Answer, type CallOptions, type HttpOptions } from './http.js';

export interface MesClientOptions extends HttpOptions {
  /** Checks each payload before it is sent (`checkResource` of @mes-fhir/profiles); none by default. */
  check?: LocalCheck;
}

export class MesClient {
  readonly measures: MeasuresApi;
  readonly appointments: AppointmentsApi;
  readonly documents: DocumentsApi;
  private readonly http: Http;

  constructor(options: MesClientOptions) {
    this.http = new Http(options);
    this.measures = new MeasuresApi(this.http, options.check);
    this.appointments = new AppointmentsApi(this.http, options.check);
    this.documents = new DocumentsApi(this.http, options.check);
  }

  /** Any other call, with the same token, errors and retries (`POST pairing` on the sandbox…). */
  request<T>(method: string, path: string, options: CallOptions & { body?: unknown; idempotent?: boolean } = {}): Promise<Answer<T>> {
    return this.http.request<T>(method, path, options);
  }
}
