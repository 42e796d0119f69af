/** The CodeSystem and ValueSet shapes this package reads and writes: those of @types/fhir (FHIR R4). */
import type * as fhir4 from 'fhir/r4.js';

export type CodeSystemConcept = fhir4.CodeSystemConcept;
export type CodeSystemResource = fhir4.CodeSystem;
export type ValueSetFilter = fhir4.ValueSetComposeIncludeFilter;
export type ValueSetInclude = fhir4.ValueSetComposeInclude;
export type ExpansionContains = fhir4.ValueSetExpansionContains;
export type ValueSetResource = fhir4.ValueSet;
