/** A FHIR resource as read from JSON; only the fields the manifest uses are named. */
export interface FhirJson {
  resourceType: string;
  id?: string;
  url?: string;
  name?: string;
  title?: string;
  type?: string;
  kind?: string;
  derivation?: string;
  baseDefinition?: string;
  meta?: { profile?: string[] };
  [key: string]: unknown;
}

export interface ManifestProfile {
  id: string;
  url: string;
  name?: string;
  title?: string;
  /** The constrained resource or data type (`Observation`, `Bundle`, `Extension`…). */
  type: string;
  parent: string;
  file: string;
  /**
   * The Mon espace santé canonical the profile requires in meta.profile, when it requires one:
   * resources as MES receives them claim this url, not ours.
   */
  mesCanonical?: string;
  /**
   * The MES API the profile belongs to (`mesures`, `agenda`, `documents`): the folder under
   * `fsh/input/fsh` that defines it. Entry points of @mes-fhir/profiles and the site follow it.
   */
  api?: string;
}

export interface ManifestTerminology {
  id: string;
  url: string;
  title?: string;
  file: string;
}

export interface ManifestExample {
  resourceType: string;
  id: string;
  file: string;
  /** The profiles the example claims in meta.profile. */
  claims: string[];
  /** The profile of ours its FSH `InstanceOf` names, when it names one. */
  instanceOf?: string;
}

export interface Manifest {
  generator: string;
  canonical?: string;
  fhirVersion?: string;
  dependencies: string[];
  profiles: ManifestProfile[];
  extensions: ManifestProfile[];
  valueSets: ManifestTerminology[];
  codeSystems: ManifestTerminology[];
  examples: ManifestExample[];
}

const byUrl = <T extends { url: string }>(a: T, b: T) => a.url.localeCompare(b.url);

/** The profile of ours a FSH `InstanceOf` names (by name, id or url), if it names one. */
export function profileNamed(profiles: ManifestProfile[], named: string): ManifestProfile | undefined {
  return profiles.find((p) => p.name === named || p.id === named || p.url === named);
}

/** Lists what a codegen run produced; sorted so that it is byte-identical for identical input. */
export function buildManifest(input: {
  canonical?: string;
  fhirVersion?: string;
  dependencies: string[];
  files: Array<{ path: string; json: FhirJson }>;
  /** The canonical a profile requires in meta.profile (profile-model's `requiredMetaProfile`). */
  requiredMetaProfile: (url: string) => string | undefined;
  /** An instance's `InstanceOf` as written in FSH (a name, an id or a url), by instance id. */
  instanceOf?: (id: string) => string | undefined;
  /** A profile's MES API (its FSH folder), by profile id. */
  apiOf?: (id: string) => string | undefined;
}): Manifest {
  const manifest: Manifest = {
    generator: '@mes-fhir/codegen',
    canonical: input.canonical,
    fhirVersion: input.fhirVersion,
    dependencies: [...input.dependencies],
    profiles: [],
    extensions: [],
    valueSets: [],
    codeSystems: [],
    examples: [],
  };
  for (const { path, json } of input.files) {
    if (json.resourceType === 'StructureDefinition' && json.url && json.id && json.type) {
      const entry: ManifestProfile = {
        id: json.id,
        url: json.url,
        name: json.name,
        title: json.title,
        type: json.type,
        parent: json.baseDefinition ?? '',
        file: path,
        mesCanonical: input.requiredMetaProfile(json.url),
        api: json.type === 'Extension' ? undefined : input.apiOf?.(json.id),
      };
      (json.type === 'Extension' ? manifest.extensions : manifest.profiles).push(entry);
    } else if ((json.resourceType === 'ValueSet' || json.resourceType === 'CodeSystem') && json.url && json.id) {
      const entry = { id: json.id, url: json.url, title: json.title, file: path };
      (json.resourceType === 'ValueSet' ? manifest.valueSets : manifest.codeSystems).push(entry);
    } else if (path.startsWith('example/')) {
      manifest.examples.push({ resourceType: json.resourceType, id: json.id ?? '', file: path, claims: json.meta?.profile ?? [] });
    }
  }
  for (const e of manifest.examples) {
    const named = input.instanceOf?.(e.id);
    const profile = named ? profileNamed(manifest.profiles, named) : undefined;
    if (profile) e.instanceOf = profile.url;
  }
  manifest.profiles.sort(byUrl);
  manifest.extensions.sort(byUrl);
  manifest.valueSets.sort(byUrl);
  manifest.codeSystems.sort(byUrl);
  manifest.examples.sort((a, b) => a.file.localeCompare(b.file));
  return manifest;
}
