/**
 * The definitions a validation can read, for a validator that cannot hold every loaded package (a
 * browser: the site's "Essayer" page). Every StructureDefinition (a Bundle may carry any resource
 * type, an instance may name any extension), every CodeSystem and NamingSystem (codes and OIDs are
 * checked against them), the ImplementationGuides of our own layers (their global profiles), and
 * the ValueSets that a binding other than `example` names, with the code systems and value sets
 * they compose. Left out: the other ValueSets, and instances, which no validation reads.
 */
import type { IndexEntry, ResourceIndex } from '@mes-fhir/fhir-packages';
import { isObject } from '@mes-fhir/core';

/** The entries of `index` a validation against its profiles reads, in index order. */
export function reachableDefinitions(index: ResourceIndex, ownLayers: string[] = ['generated']): IndexEntry[] {
  const kept = new Set<IndexEntry>();
  const queue: IndexEntry[] = [];
  const keep = (entry: IndexEntry | undefined) => {
    if (!entry || kept.has(entry)) return;
    kept.add(entry);
    queue.push(entry);
  };
  const canonical = (value: unknown) => (typeof value === 'string' ? value : undefined);
  for (const entry of index.list()) {
    const { resourceType } = entry;
    if (resourceType === 'StructureDefinition' || resourceType === 'NamingSystem') keep(entry);
    else if (ownLayers.includes(entry.source) && ['ImplementationGuide', 'ValueSet', 'CodeSystem'].includes(resourceType)) keep(entry);
  }
  while (queue.length > 0) {
    const entry = queue.pop()!;
    if (entry.resourceType !== 'StructureDefinition' && entry.resourceType !== 'ValueSet') continue;
    let resource: Record<string, unknown>;
    try {
      resource = index.read(entry);
    } catch {
      continue; // an unreadable file of a package reaches nothing
    }
    if (entry.resourceType === 'StructureDefinition') {
      const snapshot = isObject(resource.snapshot) ? resource.snapshot : {};
      const differential = isObject(resource.differential) ? resource.differential : {};
      for (const element of [...asArray(snapshot.element), ...asArray(differential.element)]) {
        if (!isObject(element)) continue;
        const binding = isObject(element.binding) ? element.binding : undefined;
        const valueSet = canonical(binding?.valueSet);
        if (valueSet && binding?.strength !== 'example') keep(index.findEntryOfType(valueSet, 'ValueSet'));
      }
    } else {
      const compose = isObject(resource.compose) ? resource.compose : {};
      for (const part of [...asArray(compose.include), ...asArray(compose.exclude)]) {
        if (!isObject(part)) continue;
        for (const valueSet of asArray(part.valueSet)) if (canonical(valueSet)) keep(index.findEntryOfType(valueSet as string, 'ValueSet'));
        const system = canonical(part.system);
        if (system) keep(index.findEntryOfType(system, 'CodeSystem'));
      }
    }
  }
  return index.list().filter((entry) => kept.has(entry));
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
