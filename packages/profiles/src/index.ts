// Every MES API (each is also an entry point of its own: @mes-fhir/profiles/mesures, /agenda,
// /documents), the registry of all profiles and checkResource.
export * from './mesures.js';
export * from './agenda.js';
export * from './documents.js';
export * as codes from './generated/codes.js';
export { profiles, mesCanonicals } from './generated/registry.js';
export * from './runtime/invariants.js';
export type { ProfileEntry } from './runtime/registry-entry.js';
export * from './check.js';
