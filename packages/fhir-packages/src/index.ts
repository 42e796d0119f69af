export * from './types.js';
export * from './errors.js';
export * from './config.js';
export * from './cache.js';
export * from './versions.js';
export * from './sources.js';
export * from './install.js';
export * from './resource-index.js';
