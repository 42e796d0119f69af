export * from './metadata.js';
export * from './time.js';
export * from './base64.js';
export { buildCdaLevel1, type CdaHeader, type Level1Body } from './build.js';
export { readCda, MAX_CDA_LENGTH, type CdaReadResult } from './read.js';
export { compareWithHeader, type Disagreement, type StatedMetadata } from './agreement.js';
export { attachedBytes, checkAttachedDocument } from './attached.js';
export { sha1Base64, portableSha1 } from './sha1.js';
