export * from './context.js';
export * from './errors.js';
export * from './manifest.js';
export * from './pipeline.js';
export { parseSushiOutput } from './steps/sushi.js';
export { FHIR_OUTPUT_FOLDER, toJsonText } from './steps/write.js';
