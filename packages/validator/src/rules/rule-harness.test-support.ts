/**
 * For the rule tests: a validator over the R4 core package and the project's definitions plus
 * small hand-made StructureDefinitions (differentials: the validator generates their snapshots),
 * and the issues of a resource as `id@location`, the form the tests compare.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issue } from '@mes-fhir/core';
import { Validator } from '../validator.js';

export const TEST_BASE = 'https://mes-fhir.test/StructureDefinition/';

/** A profile of `type` named `name`, constraining it by these differential elements (ids and paths relative to the type). */
export function profile(
  name: string,
  type: string,
  elements: Array<Record<string, unknown>>,
  base = `http://hl7.org/fhir/StructureDefinition/${type}`,
): Record<string, unknown> {
  return {
    resourceType: 'StructureDefinition',
    url: `${TEST_BASE}${name}`,
    name,
    status: 'draft',
    fhirVersion: '4.0.1',
    kind: 'resource',
    abstract: false,
    type,
    baseDefinition: base,
    derivation: 'constraint',
    differential: { element: [{ id: type, path: type }, ...elements.map((e) => ({ path: e.id, ...e }))] },
  };
}

/** A validator that also knows these definitions (they may be claimed in meta.profile or given as `profile`). */
export async function validatorWith(definitions: Array<Record<string, unknown>>): Promise<Validator> {
  const dir = mkdtempSync(join(tmpdir(), 'mes-fhir-rules-'));
  const files = definitions.map((d, i) => {
    const file = join(dir, `definition-${i}.json`);
    writeFileSync(file, JSON.stringify(d));
    return file;
  });
  return Validator.load({ extraLayers: [{ label: 'rule-tests', dir, files }], logger: {} });
}

/** Issues as `id@location` (warnings and information included), in document order. */
export const found = (issues: Issue[]): string[] => issues.map((i) => `${i.id}@${i.location}`);

/** The issues of a resource but the narrative warning (dom-6) every bare test resource gets. */
export function issuesOf(validator: Validator, resource: unknown, profileName?: string): string[] {
  const issues = validator.validateToIssues(resource, profileName ? { profile: `${TEST_BASE}${profileName}` } : {});
  return found(issues.filter((i) => i.key !== 'dom-6'));
}
