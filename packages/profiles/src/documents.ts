/**
 * `@mes-fhir/profiles/documents`: the API Documents alone (DocumentReference, the provide and
 * search Bundles): types, zod schemas and builders.
 */
export type * from './generated/documents/types.js';
export * from './generated/documents/schemas.js';
export * from './builders/documents.js';
export * from './builders/identifiers.js';
