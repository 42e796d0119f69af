/** A FHIR package named by id and version (`name#version`). */
export interface PackageRef {
  name: string;
  version: string;
}

export const refToString = (ref: PackageRef): string => `${ref.name}#${ref.version}`;

/** The manifest of a FHIR package (`package/package.json`), as far as this toolkit reads it. */
export interface PackageManifest {
  name: string;
  version: string;
  canonical?: string;
  title?: string;
  fhirVersions?: string[];
  dependencies?: Record<string, string>;
}

/** Receives progress and diagnostics; every method is optional so callers log only what they want. */
export interface PackageLogger {
  /** A package missing from the cache was found and is being extracted into it (slow: show progress). */
  installing?(ref: PackageRef, from: 'mirror' | 'registry'): void;
  info?(message: string): void;
  warn?(message: string): void;
  debug?(message: string): void;
}
