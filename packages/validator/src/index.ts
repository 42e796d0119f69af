export * from './outcome.js';
export * from './validator.js';
export { planInvariants } from './invariants.js';
export type { AttachmentResolver } from './documents.js';
