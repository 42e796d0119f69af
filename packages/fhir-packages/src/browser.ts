/**
 * @mes-fhir/fhir-packages in a browser (the `browser` condition of its exports): the index of
 * definitions, which a page fills from what it fetches. Installing packages and reading folders
 * need a file system; asking for them here says so instead of failing inside a bundler's shim.
 */
export * from './resource-index.js';

const NO_FILE_SYSTEM =
  'FHIR packages are read from disk, which a browser has not: build a ResourceIndex from the definitions you fetched (new ResourceIndex(layers), each layer listing its entries and reading one on demand) and pass it to new Validator(index)';

export async function loadProjectIndex(): Promise<never> {
  throw new Error(NO_FILE_SYSTEM);
}
