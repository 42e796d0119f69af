// @ts-check
// The definitions of generated/fhir with their FHIR packages, loaded once for the build's plugins
// (downloads.js writes XML from them, validator-definitions.js publishes them for Essayer).
const { resolve } = require('node:path');

/** @type {Map<string, Promise<import('@mes-fhir/fhir-packages').ProjectIndex>>} */
const loaded = new Map();

/** @param {string} siteDir */
function projectIndex(siteDir) {
  const generatedDir = resolve(siteDir, '..', 'generated', 'fhir');
  let index = loaded.get(generatedDir);
  if (!index) loaded.set(generatedDir, (index = import('@mes-fhir/fhir-packages').then(({ loadProjectIndex }) => loadProjectIndex({ generatedDir }))));
  return index;
}

module.exports = { projectIndex };
