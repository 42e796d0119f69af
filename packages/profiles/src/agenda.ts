/** `@mes-fhir/profiles/agenda`: the API Agenda alone (Appointment, its search Bundle): types, zod schemas and builders. */
export type * from './generated/agenda/types.js';
export * from './generated/agenda/schemas.js';
export * from './builders/agenda.js';
export * from './builders/identifiers.js';
