/** What the generator of the reference pages is given, and what its page modules share: the folders, the links between pages. */

import type { ProfileDiff, StructureModel } from '@mes-fhir/profile-model';
import type { Terminology } from '@mes-fhir/terminology';
import type { Manifest } from '../manifest.js';
import type { BuilderExample } from './builder-examples.js';

export interface SiteInput {
  manifest: Manifest;
  model: StructureModel;
  terminology: Terminology;
  /** Example file (manifest path) → its JSON. */
  examples: Map<string, Record<string, unknown>>;
  /** Profiles each example conforms to (decided by the caller with the validator). */
  exampleProfiles: Map<string, string[]>;
  /** The FHIR packages the site offers for download (ours, then the NOS value sets). */
  packages?: Array<{ name: string; version: string }>;
  /** Resources of a profile found only inside an example Bundle (profile url → entries and their example). */
  exampleExcerpts?: Map<string, Array<{ from: string; resource: Record<string, unknown> }>>;
  /** The official page of a definition that is not ours (package IG page), if known. */
  officialPage: (url: string) => string | undefined;
  /** The profiles against an earlier version (fhir-package.yaml `changelog`), for the changelog page. */
  changelog?: Changelog;
  /** The FHIR packages our profiles are built on, for the versions page. */
  dependencies?: Array<{ name: string; version: string; title?: string; canonical?: string }>;
  fhirVersion?: string;
  /** Profile type name → the `@example` of the builders that return it (read from their source). */
  builders?: Map<string, BuilderExample[]>;
}

export interface Changelog {
  /** The earlier version, as named in fhir-package.yaml. */
  since: string;
  baseline: string;
  /** The baseline package's version. */
  version?: string;
  diffs: ProfileDiff[];
}

/** A profile's MES API as the manifest records it (its FSH folder); '' for a profile outside one. */
export type Api = string;

/** `mesures` → "API Mesures"; a profile outside an API folder goes under "Autres". */
export const apiTitle = (api: Api) => (api ? `API ${api[0]!.toUpperCase()}${api.slice(1)}` : 'Autres');

/** The folders of the reference pages, by kind of artifact. */
export const PROFILE_DIR = 'profils';
export const EXTENSION_DIR = 'extensions';
export const VALUESET_DIR = 'jeux-de-valeurs';
export const CODESYSTEM_DIR = 'systemes-de-codes';

/**
 * Links to an artifact of ours in JSON and XML, and to the FHIR packages: files the site's
 * downloads plugin writes into the build (docs-site/plugins/downloads.js), so `pathname://` (not
 * pages, never bundled).
 */
export const DOWNLOADS_DIR = 'telechargements';

/** The path of the page of one of our artifacts, relative to the page `from`; undefined when it has none. */
export type Links = {
  profile: (url: string, from: string) => string | undefined;
  valueSet: (url: string, from: string) => string;
  extension: (url: string, from: string) => string | undefined;
};
