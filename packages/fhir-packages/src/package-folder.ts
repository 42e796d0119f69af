/**
 * Package folders on disk as layers of the `ResourceIndex`: a package's `package/` folder (listed
 * by its `.index.json` when it has one), the project's generated output, or single files.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ResourceIndex, type FhirResource, type IndexedLayer } from './resource-index.js';

/** One folder of resources: a package's `package/` folder, or the project's generated output. */
export interface ResourceLayer {
  label: string;
  /** A folder of resources; for a layer of single files, use `files`. */
  dir: string;
  /** Individual JSON files (read instead of `dir`). */
  files?: string[];
  /** Also read `<dir>/example/` (packages keep their examples there). */
  includeExamples?: boolean;
}

interface DotIndex {
  files?: Array<{ filename: string; resourceType: string; id?: string; url?: string; version?: string }>;
}

/** An index of the resources of these folders, earlier layers first (see `ResourceIndex`). */
export function indexFolders(layers: ResourceLayer[]): ResourceIndex {
  return new ResourceIndex(layers.map(folderLayer));
}

/** A folder (or a list of files) as a layer: entries from `.index.json`, else from parsing each file. */
export function folderLayer(layer: ResourceLayer): IndexedLayer {
  const listed: IndexedLayer = { label: layer.label, entries: [], read: readResourceFile, preloaded: new Map() };
  if (layer.files) {
    for (const file of layer.files) addFile(listed, file);
  } else {
    addFolder(listed, layer.dir);
    if (layer.includeExamples) addFolder(listed, join(layer.dir, 'example'));
  }
  return listed;
}

/**
 * Writes the `.index.json` a package folder lacks (FHIR package spec, index-version 2), from its
 * files: a package shipped without one (hl7.terminology.r4 7.0.1: 4,096 files) is otherwise
 * parsed whole each time a validator starts. Called by the installer on the folders it extracts.
 */
export function writeMissingDotIndex(dir: string): void {
  if (!existsSync(dir) || existsSync(join(dir, '.index.json'))) return;
  const files = folderLayer({ label: dir, dir }).entries.map(({ file, resourceType, id, url, version }) => ({
    filename: basename(file),
    resourceType,
    ...(id !== undefined ? { id } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(version !== undefined ? { version } : {}),
  }));
  writeFileSync(join(dir, '.index.json'), `${JSON.stringify({ 'index-version': 2, files }, null, 2)}\n`);
}

function addFolder(layer: IndexedLayer, dir: string): void {
  if (!existsSync(dir)) return;
  const dotIndex = readDotIndex(join(dir, '.index.json'));
  if (dotIndex) {
    for (const f of dotIndex) layer.entries.push({ resourceType: f.resourceType, id: f.id, url: f.url, version: f.version, file: join(dir, f.filename) });
    return;
  }
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json') || name === 'package.json' || name.startsWith('.')) continue;
    addFile(layer, join(dir, name));
  }
}

function addFile(layer: IndexedLayer, file: string): void {
  let resource: FhirResource;
  try {
    resource = JSON.parse(readFileSync(file, 'utf8')) as FhirResource;
  } catch {
    return; // not JSON: packages sometimes ship other files with a .json name
  }
  if (!resource || typeof resource.resourceType !== 'string') return;
  layer.preloaded!.set(file, resource);
  layer.entries.push({ resourceType: resource.resourceType, id: resource.id, url: resource.url, version: resource.version, file });
}

/** Reads one resource file (the index reports a failure without the parser's message). */
function readResourceFile(file: string): FhirResource {
  return JSON.parse(readFileSync(file, 'utf8')) as FhirResource;
}

type DotIndexFile = NonNullable<DotIndex['files']>[number];

/**
 * The entries of a package's `.index.json`, or undefined to list the folder instead (no index, or
 * one that is not JSON). Entries whose filename is not a plain file name of the folder (`../x`,
 * `a/b`) are left out: an index is data, and must not make the loader read outside its package.
 */
function readDotIndex(file: string): DotIndexFile[] | undefined {
  if (!existsSync(file)) return undefined;
  let index: DotIndex;
  try {
    index = JSON.parse(readFileSync(file, 'utf8')) as DotIndex;
  } catch {
    return undefined;
  }
  if (!index || !Array.isArray(index.files)) return undefined;
  return index.files.filter(
    (f) =>
      f &&
      typeof f.filename === 'string' &&
      typeof f.resourceType === 'string' &&
      PLAIN_FILE_NAME.test(f.filename) &&
      f.filename !== '.' &&
      f.filename !== '..',
  );
}

/** A file name without a folder part (no separator, no NUL). */
const PLAIN_FILE_NAME = /^[^/\\\u0000]+$/;
