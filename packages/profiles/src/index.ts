export type * from './generated/types.js';
export * from './generated/schemas.js';
export * as codes from './generated/codes.js';
export { profiles, mesCanonicals } from './generated/registry.js';
export * from './runtime/invariants.js';
export type { ProfileEntry } from './runtime/registry-entry.js';
export * from './check.js';
export * from './builders.js';
export * from './agenda-builders.js';
