import { ResourceIndex, type FhirResource } from '@mes-fhir/fhir-packages';
import { describe, expect, it } from 'vitest';
import { reachableDefinitions } from './reachable-definitions.js';

const sd = (id: string, bindings: Array<[string, string]>): FhirResource => ({
  resourceType: 'StructureDefinition',
  id,
  url: `http://x.org/StructureDefinition/${id}`,
  snapshot: { element: bindings.map(([strength, valueSet], i) => ({ id: `E.e${i}`, path: `E.e${i}`, binding: { strength, valueSet } })) },
});
const vs = (id: string, compose: unknown = {}): FhirResource => ({ resourceType: 'ValueSet', id, url: `http://x.org/ValueSet/${id}`, compose });
const cs = (id: string): FhirResource => ({ resourceType: 'CodeSystem', id, url: `http://x.org/CodeSystem/${id}` });

describe('reachableDefinitions', () => {
  const dependency: FhirResource[] = [
    sd('bound', [
      ['required', 'http://x.org/ValueSet/required|1.0'],
      ['extensible', 'http://x.org/ValueSet/extensible'],
      ['preferred', 'http://x.org/ValueSet/preferred'],
      ['example', 'http://x.org/ValueSet/example'],
    ]),
    vs('required', { include: [{ valueSet: ['http://x.org/ValueSet/imported'] }, { system: 'http://x.org/CodeSystem/listed' }] }),
    vs('extensible'),
    vs('preferred', { exclude: [{ system: 'http://x.org/CodeSystem/excluded' }] }),
    vs('example', { include: [{ system: 'http://x.org/CodeSystem/of-example' }] }),
    vs('imported'),
    vs('unbound'),
    cs('listed'),
    cs('excluded'),
    cs('of-example'),
    cs('unused'),
    { resourceType: 'NamingSystem', id: 'oid' },
    { resourceType: 'Patient', id: 'instance' },
    { resourceType: 'ImplementationGuide', id: 'their-guide', url: 'http://x.org/ImplementationGuide/theirs' },
  ];
  const own: FhirResource[] = [vs('ours'), cs('ours'), { resourceType: 'ImplementationGuide', id: 'our-guide', url: 'http://x.org/ImplementationGuide/ours' }];
  const layer = (label: string, resources: FhirResource[]) => ({
    label,
    entries: resources.map((r, i) => ({ resourceType: r.resourceType, id: r.id, url: r.url, file: String(i) })),
    read: (file: string) => resources[Number(file)],
  });
  const index = new ResourceIndex([layer('generated', own), layer('dependency', dependency)]);
  const kept = reachableDefinitions(index).map((e) => `${e.source}:${e.resourceType}/${e.id}`);

  it('keeps every StructureDefinition and NamingSystem, and our value sets, code systems and guide', () => {
    expect(kept).toEqual(
      expect.arrayContaining([
        'generated:ValueSet/ours',
        'generated:CodeSystem/ours',
        'generated:ImplementationGuide/our-guide',
        'dependency:StructureDefinition/bound',
        'dependency:NamingSystem/oid',
      ]),
    );
  });

  it('follows the bindings that are checked to their value sets and what those compose', () => {
    for (const reached of ['ValueSet/required', 'ValueSet/extensible', 'ValueSet/preferred', 'ValueSet/imported', 'CodeSystem/listed', 'CodeSystem/excluded'])
      expect(kept).toContain(`dependency:${reached}`);
  });

  it('leaves out example bindings, what nothing binds, instances and the dependencies’ guides', () => {
    for (const left of [
      'ValueSet/example',
      'CodeSystem/of-example',
      'ValueSet/unbound',
      'CodeSystem/unused',
      'Patient/instance',
      'ImplementationGuide/their-guide',
    ])
      expect(kept).not.toContain(`dependency:${left}`);
  });

  it('answers in index order', () => {
    const order = index.list().map((e) => `${e.source}:${e.resourceType}/${e.id}`);
    expect(kept).toEqual(order.filter((e) => kept.includes(e)));
  });
});
