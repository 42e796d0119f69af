/**
 * The FHIR package name and version grammar, checked before any path is built from them: names
 * and versions come from package.json files of packages (and sushi-config.yaml), which are data,
 * and `x/../../..` as a dependency name would otherwise read outside the mirror and write outside
 * the cache. Names as the FHIR NPM package specification writes them (letters, digits, `.`, `-`,
 * `_`; 214 characters at most, as npm); versions as SemVer and the FHIR tooling's loose forms
 * (`latest`, `current`, `2.1.x`, `1.0.0-ballot`).
 */
import { resolve, sep } from 'node:path';
import { escapeControlCharacters } from '@mes-fhir/core';
import type { PackageRef } from './types.js';

const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,213}$/;
const PACKAGE_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}$/;

/** Why a package reference cannot name a package, or undefined when it can. */
export function packageRefProblem(ref: PackageRef): string | undefined {
  if (typeof ref.name !== 'string' || !PACKAGE_NAME.test(ref.name)) return `"${printable(ref.name)}" is not a FHIR package name`;
  if (typeof ref.version !== 'string' || !PACKAGE_VERSION.test(ref.version)) return `"${printable(ref.version)}" is not a FHIR package version`;
  return undefined;
}

/** A path inside `folder` (resolved), or an error: what is built from data never leaves its folder. */
export function insideFolder(folder: string, path: string): string {
  const base = resolve(folder);
  const full = resolve(path);
  if (full !== base && !full.startsWith(base.endsWith(sep) ? base : base + sep)) throw new Error(`${printable(path)} is outside ${base}`);
  return full;
}

/** A name as it may be printed: control characters escaped, at most 100 characters. */
export function printable(value: unknown): string {
  const escaped = escapeControlCharacters(String(value));
  return escaped.length > 100 ? `${escaped.slice(0, 100)}…` : escaped;
}
