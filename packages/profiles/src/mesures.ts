/**
 * `@mes-fhir/profiles/mesures`: the API Mesures alone (the 11 measures, the feeding and search
 * Bundles): their types, zod schemas and builders.
 */
export type * from './generated/mesures/types.js';
export * from './generated/mesures/schemas.js';
export * from './builders/mesures.js';
export * from './builders/identifiers.js';
