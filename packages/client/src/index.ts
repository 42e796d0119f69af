export { MesClient, type MesClientOptions } from './client.js';
export { clientCredentials, renewingSource, type ClientCredentials, type TokenAnswer, type TokenSource } from './tokens.js';
export {
  finishPairing,
  memoryStore,
  resumePairing,
  startPairing,
  type PairedTokens,
  type PairingFinish,
  type PairingRequest,
  type PairingStart,
  type RefreshTokenStore,
} from './pairing.js';
export { MesApiError, type MesErrorCode, type MesFailure } from './errors.js';
export { idOf, retryAfterMs, type Answer, type CallOptions, type HttpOptions } from './http.js';
export { patientSearchValue, type SearchParams } from './search.js';
export type { LocalCheck } from './check.js';
export type { CreatableMeasure, MeasureQuery, MeasuresApi, PhdDevice, SentMeasure } from './apis/mesures.js';
export type { AppointmentsApi } from './apis/agenda.js';
export type { DocumentsApi } from './apis/documents.js';
