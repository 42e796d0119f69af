// @ts-check
// Downloads of the implementation guide, written into the build after Docusaurus (never committed:
// they are copies of generated/): the FHIR packages mes-fhir.profiles and mes-fhir.nos as
// tarballs, and each of our conformance resources in JSON and in XML, under /telechargements/.
// The pages link to them by the names the reference pages use (see packages/codegen/src/docs).
const { mkdir, readFile, writeFile, copyFile } = require('node:fs/promises');
const { join, resolve } = require('node:path');
const { projectIndex } = require('./project-index.js');

/** @type {import('@docusaurus/types').PluginModule} */
module.exports = function downloads(context) {
  return {
    name: 'mes-fhir-downloads',
    async postBuild({ outDir }) {
      const { packFolderWithBundled } = await import('@mes-fhir/fhir-packages');
      const { StructureModel } = await import('@mes-fhir/profile-model');
      const { FhirXml } = await import('@mes-fhir/xml');
      const generated = resolve(context.siteDir, '..', 'generated', 'fhir');
      const target = join(outDir, 'telechargements');
      await mkdir(target, { recursive: true });
      const manifest = JSON.parse(await readFile(join(generated, 'package.json'), 'utf8'));
      await packFolderWithBundled(generated, join(target, `${manifest.name}-${manifest.version}.tgz`));
      // XML is written from the StructureDefinitions of the loaded packages (R4 core among them)
      const { index } = await projectIndex(context.siteDir);
      const xml = new FhirXml(new StructureModel(index));
      const files = JSON.parse(await readFile(join(generated, '.index.json'), 'utf8')).files;
      for (const { filename } of files) {
        await copyFile(join(generated, filename), join(target, filename));
        const resource = JSON.parse(await readFile(join(generated, filename), 'utf8'));
        await writeFile(join(target, filename.replace(/\.json$/, '.xml')), xml.toXml(resource));
      }
    },
  };
};
