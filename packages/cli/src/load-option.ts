/**
 * `validate --load`: definitions (StructureDefinitions, ValueSets, CodeSystems…) given as files or
 * folders, in JSON or in FHIR XML. XML ones are read with the definitions already loaded (the XML
 * mapping is driven by them) and written as JSON into a scratch folder, one more layer that worker
 * threads read too; the folder is removed when the process ends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { escapeControlCharacters } from '@mes-fhir/core';
import type { ResourceIndex, ResourceLayer } from '@mes-fhir/fhir-packages';
import { StructureModel } from '@mes-fhir/profile-model';
import { FhirXml } from '@mes-fhir/xml';
import { collectFiles, type CollectedFiles } from './validate-inputs.js';

export interface LoadOption {
  /** One layer per --load path, of its JSON files. */
  layers: ResourceLayer[];
  /** The XML files of the --load paths, converted once the other definitions are loaded. */
  xmlFiles: string[];
}

export async function collectLoadOption(paths: string[], followLinks: boolean, skipped: CollectedFiles['skippedLinks']): Promise<LoadOption> {
  const option: LoadOption = { layers: [], xmlFiles: [] };
  for (const [i, p] of paths.entries()) {
    const collected = await collectFiles(resolve(p), followLinks);
    skipped.push(...collected.skippedLinks);
    option.layers.push({ label: `load-${i + 1}`, dir: resolve(p), files: collected.files.filter((f) => f.endsWith('.json')) });
    option.xmlFiles.push(...collected.files.filter((f) => f.endsWith('.xml')));
  }
  return option;
}

/**
 * The layer of the XML definitions, read with `index` (the definitions loaded without them); a
 * file that is not FHIR XML is reported through `warn` and left out. Undefined when there is none.
 */
export async function xmlDefinitionsLayer(index: ResourceIndex, files: string[], warn: (message: string) => void): Promise<ResourceLayer | undefined> {
  if (!files.length) return undefined;
  const xml = new FhirXml(new StructureModel(index));
  const dir = mkdtempSync(join(tmpdir(), 'mes-fhir-load-xml-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const written: string[] = [];
  for (const [i, file] of files.entries()) {
    const read = xml.fromXml(await readFile(file, 'utf8'));
    if (!read.ok) {
      warn(`--load ${escapeControlCharacters(file)}: not read as FHIR XML (${escapeControlCharacters(read.error)})`);
      continue;
    }
    const out = join(dir, `${i}-${basename(file, '.xml').replace(/[^\w.-]/g, '_')}.json`);
    writeFileSync(out, JSON.stringify(read.resource));
    written.push(out);
  }
  return { label: 'load-xml', dir, files: written };
}
