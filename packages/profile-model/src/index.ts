export * from './element-definition.js';
export * from './model.js';
export * from './slicing.js';
export * from './diff.js';
export * from './snapshot.js';
