export * from './json.js';
export * from './issue.js';
export * from './operation-outcome.js';
export * from './patterns.js';
export * from './base64.js';
export * from './text.js';
export * from './mes-rules.js';
