/**
 * The one index of FHIR definitions (url → resource) that codegen, terminology and the validator
 * read. It knows nothing of where resources are stored: a layer lists its entries and reads one
 * on demand, from a package folder (`package-folder.ts`, Node) or from wherever a browser keeps
 * them (the site's "Essayer" page fetches them).
 */

/** Minimal shape shared by every FHIR resource this index hands out. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  [key: string]: unknown;
}

/** What is known about a resource without reading it (from `.index.json` when present). */
export interface IndexEntry {
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  /** Label of the layer the resource came from, e.g. `hl7.fhir.fr.core#2.1.0` or `generated`. */
  source: string;
  /** Where the layer keeps the resource (a file path, a url): the key its `read` takes. */
  file: string;
}

/** One ordered source of resources: what it holds, and how to read one of them. */
export interface IndexedLayer {
  label: string;
  entries: Array<Omit<IndexEntry, 'source'>>;
  /** The resource behind an entry's `file`; throws when it cannot be read (an error's `code`, e.g. ENOENT, is kept). */
  read(file: string): unknown;
  /** Resources already read while listing (a folder without `.index.json` parses its files to list them). */
  preloaded?: Map<string, FhirResource>;
}

/**
 * Maps canonical url (optionally `url|version`) to resources across ordered layers. Earlier layers
 * win on duplicates, so list the project's own output first, then its dependencies. Resources are
 * read on first use and kept.
 */
export class ResourceIndex {
  private readonly entries: IndexEntry[] = [];
  private readonly byUrl = new Map<string, IndexEntry[]>();
  private readonly cache = new Map<IndexEntry, FhirResource>();
  private readonly layerOf = new Map<IndexEntry, IndexedLayer>();

  constructor(layers: IndexedLayer[]) {
    for (const layer of layers) {
      for (const listed of layer.entries) {
        const entry: IndexEntry = { ...listed, source: layer.label };
        this.layerOf.set(entry, layer);
        const preloaded = layer.preloaded?.get(entry.file);
        if (preloaded) this.cache.set(entry, preloaded);
        this.add(entry);
      }
    }
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

  /** Reads (once) and returns the resource behind an entry; throws when its layer cannot read it. */
  read<T = FhirResource>(entry: IndexEntry): T {
    let resource = this.cache.get(entry);
    if (!resource) {
      let read: unknown;
      let why = '';
      try {
        read = this.layerOf.get(entry)?.read(entry.file);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        why = typeof code === 'string' ? ` (${code})` : '';
      }
      // never the reader's message: a JSON parser's quotes the text of a file a hostile index names
      if (!read || typeof read !== 'object') throw new Error(`${entry.file} (${entry.source}) cannot be read as a JSON resource${why}`);
      resource = read as FhirResource;
      this.cache.set(entry, resource);
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

/**
 * `url|version` → [url, version]. Called for every canonical a resource claims (a hostile one
 * claims 200,000): the common case, no version, allocates nothing but the pair.
 */
function splitCanonical(canonical: string): [string, string | undefined] {
  const bar = canonical.indexOf('|');
  return bar < 0 ? [canonical, undefined] : [canonical.slice(0, bar), canonical.slice(bar + 1)];
}
