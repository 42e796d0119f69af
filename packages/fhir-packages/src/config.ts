import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ProjectConfigError } from './errors.js';
import type { PackageRef } from './types.js';

/** What the package installer needs from a SUSHI project configuration. */
export interface ProjectPackages {
  /** The project's own canonical base, when the configuration gives one. */
  canonical?: string;
  /** The project's version, when the configuration gives one. */
  version?: string;
  fhirVersion: string;
  /** The FHIR core package implied by `fhirVersion` (e.g. hl7.fhir.r4.core#4.0.1). */
  core: PackageRef;
  /** The dependencies declared in the configuration, in declaration order. */
  dependencies: PackageRef[];
}

const CORE_PACKAGE_BY_MAJOR: Record<string, string> = {
  '4.0': 'hl7.fhir.r4.core',
  '4.3': 'hl7.fhir.r4b.core',
  '5.0': 'hl7.fhir.r5.core',
};

export function corePackageFor(fhirVersion: string): PackageRef {
  const name = CORE_PACKAGE_BY_MAJOR[fhirVersion.split('.').slice(0, 2).join('.')];
  if (!name) throw new Error(`unsupported FHIR version ${fhirVersion}`);
  return { name, version: fhirVersion };
}

/** Reads `fhirVersion` and `dependencies` from a sushi-config.yaml file. */
export async function readProjectPackages(configFile: string): Promise<ProjectPackages> {
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (e) {
    throw new ProjectConfigError(configFile, `cannot be read (${(e as Error).message})`);
  }
  return parseProjectPackages(text, configFile);
}

export function parseProjectPackages(text: string, configFile = 'sushi-config.yaml'): ProjectPackages {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ProjectConfigError(configFile, `is not valid YAML (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object') throw new ProjectConfigError(configFile, 'is empty');
  const config = doc as Record<string, unknown>;
  const fhirVersionRaw = Array.isArray(config.fhirVersion) ? config.fhirVersion[0] : config.fhirVersion;
  if (typeof fhirVersionRaw !== 'string') throw new ProjectConfigError(configFile, 'fhirVersion is missing');
  let core: PackageRef;
  try {
    core = corePackageFor(fhirVersionRaw);
  } catch (e) {
    throw new ProjectConfigError(configFile, (e as Error).message);
  }
  const dependencies: PackageRef[] = [];
  const declared = config.dependencies ?? {};
  if (typeof declared !== 'object' || Array.isArray(declared)) {
    throw new ProjectConfigError(configFile, 'dependencies must be a map of package name to version');
  }
  for (const [name, value] of Object.entries(declared as Record<string, unknown>)) {
    // SUSHI accepts `name: version` or `name: { version, id, uri }`.
    const version =
      typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : value && typeof value === 'object' && 'version' in value
          ? String((value as { version: unknown }).version)
          : undefined;
    if (!version) throw new ProjectConfigError(configFile, `dependency ${name} has no version`);
    dependencies.push({ name, version });
  }
  const canonical = typeof config.canonical === 'string' ? config.canonical : undefined;
  const version = typeof config.version === 'string' || typeof config.version === 'number' ? String(config.version) : undefined;
  return { canonical, version, fhirVersion: fhirVersionRaw, core, dependencies };
}
