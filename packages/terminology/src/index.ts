export * from './fhir-types.js';
export * from './code-system.js';
export * from './terminology.js';
export * from './ucum.js';
export * from './mime-types.js';
export * from './system-identity.js';
