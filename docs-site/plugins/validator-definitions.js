// @ts-check
// The definitions the "Essayer" page's validator reads, written into the build after Docusaurus
// (never committed): the same package set as `mes-fhir validate`, listed whole in
// /essayer/definitions/index.json (every entry, so that lookups answer as in the CLI), with one
// file per definition a validation can read (`reachableDefinitions` of @mes-fhir/validator),
// which the page's Web Worker fetches on first use. A definition's narrative (`text`) is left
// out: no validation reads it, and it is a third of R4 core's size.
const { mkdir, writeFile } = require('node:fs/promises');
const { basename, join } = require('node:path');
const { projectIndex } = require('./project-index.js');

/** @type {import('@docusaurus/types').PluginModule} */
module.exports = function validatorDefinitions(context) {
  return {
    name: 'mes-fhir-validator-definitions',
    async postBuild({ outDir }) {
      const { reachableDefinitions } = await import('@mes-fhir/validator');
      const { index } = await projectIndex(context.siteDir);
      const target = join(outDir, 'essayer', 'definitions');
      const shipped = new Set(reachableDefinitions(index));
      /** @type {Array<{ label: string, entries: Array<[string, string | null, string | null, string | null, string | null]> }>} */
      const layers = [];
      const names = new Set();
      let bytes = 0;
      for (const entry of index.list()) {
        let layer = layers[layers.length - 1];
        if (layer?.label !== entry.source) layers.push((layer = { label: entry.source, entries: [] }));
        let file = null;
        if (shipped.has(entry)) {
          // a folder per layer, the package's own file name (unique within the layer once made so)
          const folder = entry.source.replace(/[^A-Za-z0-9._-]/g, '_');
          file = `${folder}/${basename(entry.file)}`;
          for (let n = 2; names.has(file); n++) file = `${folder}/${n}-${basename(entry.file)}`;
          names.add(file);
          const { text, ...definition } = index.read(entry);
          const json = JSON.stringify(definition);
          bytes += json.length;
          await mkdir(join(target, folder), { recursive: true });
          await writeFile(join(target, file), json);
        }
        layer.entries.push([entry.resourceType, entry.id ?? null, entry.url ?? null, entry.version ?? null, file]);
      }
      // the profiles a reader may pick when the resource names none: ours, for a resource type
      const profiles = index
        .list('StructureDefinition')
        .filter((entry) => entry.source === 'generated')
        .map((entry) => index.read(entry))
        .filter((sd) => sd.kind === 'resource' && sd.derivation === 'constraint')
        .map((sd) => ({ url: sd.url, title: sd.title ?? sd.name, type: sd.type }))
        .sort((a, b) => a.title.localeCompare(b.title, 'fr'));
      await writeFile(join(target, 'index.json'), JSON.stringify({ ownLayers: ['generated'], profiles, layers }));
      console.log(`[mes-fhir] Essayer: ${shipped.size} of ${index.list().length} definitions for the browser's validator (${(bytes / 1e6).toFixed(1)} MB)`);
    },
  };
};
