import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Minimal shape shared by every FHIR resource this index hands out. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  [key: string]: unknown;
}

/** What is known about a resource without parsing its file (from `.index.json` when present). */
export interface IndexEntry {
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  /** Label of the layer the resource came from, e.g. `hl7.fhir.fr.core#2.1.0` or `generated`. */
  source: string;
  file: string;
}

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

/**
 * The one loader of FHIR definitions shared by codegen, terminology and the validator: maps
 * canonical url (optionally `url|version`) to resources across ordered layers. Earlier layers win
 * on duplicates, so list the project's own output first, then its dependencies. File contents are
 * read on first use and kept.
 */
export class ResourceIndex {
  private readonly entries: IndexEntry[] = [];
  private readonly byUrl = new Map<string, IndexEntry[]>();
  private readonly cache = new Map<string, FhirResource>();

  constructor(layers: ResourceLayer[]) {
    for (const layer of layers) {
      if (layer.files) {
        for (const file of layer.files) this.addFile(layer.label, file);
        continue;
      }
      this.addFolder(layer.label, layer.dir);
      if (layer.includeExamples) this.addFolder(layer.label, join(layer.dir, 'example'));
    }
  }

  private addFolder(label: string, dir: string): void {
    if (!existsSync(dir)) return;
    const dotIndex = readDotIndex(join(dir, '.index.json'));
    if (dotIndex) {
      for (const f of dotIndex)
        this.add({ resourceType: f.resourceType, id: f.id, url: f.url, version: f.version, source: label, file: join(dir, f.filename) });
      return;
    }
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.json') || name === 'package.json' || name.startsWith('.')) continue;
      this.addFile(label, join(dir, name));
    }
  }

  private addFile(label: string, file: string): void {
    let resource: FhirResource;
    try {
      resource = JSON.parse(readFileSync(file, 'utf8')) as FhirResource;
    } catch {
      return; // not JSON: packages sometimes ship other files with a .json name
    }
    if (!resource || typeof resource.resourceType !== 'string') return;
    this.cache.set(file, resource);
    this.add({ resourceType: resource.resourceType, id: resource.id, url: resource.url, version: resource.version, source: label, file });
  }

  private add(entry: IndexEntry): void {
    this.entries.push(entry);
    if (!entry.url) return;
    const list = this.byUrl.get(entry.url);
    if (list) list.push(entry);
    else this.byUrl.set(entry.url, [entry]);
  }

  /** Every entry, in layer order. */
  list(resourceType?: string): IndexEntry[] {
    return resourceType ? this.entries.filter((e) => e.resourceType === resourceType) : [...this.entries];
  }

  /** Finds the entry for a canonical (`url` or `url|version`). */
  findEntry(canonical: string): IndexEntry | undefined {
    const [url, version] = splitCanonical(canonical);
    const candidates = this.byUrl.get(url);
    if (!candidates) return undefined;
    return version ? (candidates.find((c) => c.version === version) ?? candidates[0]) : candidates[0];
  }

  /** Finds the entry of a given resource type for a canonical (a CodeSystem and a ValueSet may share a url). */
  findEntryOfType(canonical: string, resourceType: string): IndexEntry | undefined {
    const [url, version] = splitCanonical(canonical);
    const found = this.byUrl.get(url);
    if (!found) return undefined;
    const candidates = found.filter((c) => c.resourceType === resourceType);
    if (!candidates?.length) return undefined;
    return (version && candidates.find((c) => c.version === version)) || candidates[0];
  }

  /** The resource of a given type for a canonical, or undefined. */
  resolveOfType<T = FhirResource>(canonical: string, resourceType: string): T | undefined {
    const entry = this.findEntryOfType(canonical, resourceType);
    return entry ? this.read<T>(entry) : undefined;
  }

  /** Reads (once) and returns the resource behind an entry; throws, without quoting the file, when it is not JSON. */
  read<T = FhirResource>(entry: IndexEntry): T {
    let resource = this.cache.get(entry.file);
    if (!resource) {
      try {
        resource = JSON.parse(readFileSync(entry.file, 'utf8')) as FhirResource;
      } catch (e) {
        // the parser's message quotes the text: a file named by a hostile .index.json must not be echoed
        throw new Error(
          `${entry.file} (${entry.source}) cannot be read as a JSON resource${(e as NodeJS.ErrnoException).code ? ` (${(e as NodeJS.ErrnoException).code})` : ''}`,
        );
      }
      this.cache.set(entry.file, resource);
    }
    return resource as unknown as T;
  }

  /** The resource for a canonical, or undefined. */
  resolve<T = FhirResource>(canonical: string): T | undefined {
    const entry = this.findEntry(canonical);
    return entry ? this.read<T>(entry) : undefined;
  }

  /** A StructureDefinition's ancestry, itself first, following `baseDefinition` as far as it resolves. */
  baseChain(canonical: string): string[] {
    const chain: string[] = [];
    let current: string | undefined = canonical;
    while (current && !chain.includes(current)) {
      const sd: FhirResource | undefined = this.resolve(current);
      if (!sd) break;
      chain.push(current);
      current = typeof sd.baseDefinition === 'string' ? sd.baseDefinition : undefined;
    }
    return chain;
  }
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

/**
 * `url|version` → [url, version]. Called for every canonical a resource claims (a hostile one
 * claims 200,000): the common case, no version, allocates nothing but the pair.
 */
function splitCanonical(canonical: string): [string, string | undefined] {
  const bar = canonical.indexOf('|');
  return bar < 0 ? [canonical, undefined] : [canonical.slice(0, bar), canonical.slice(bar + 1)];
}
