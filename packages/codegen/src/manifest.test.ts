import { describe, expect, it } from 'vitest';
import { buildManifest, type FhirJson } from './manifest.js';

const profile = (id: string): FhirJson => ({
  resourceType: 'StructureDefinition',
  id,
  url: `https://x.org/StructureDefinition/${id}`,
  title: id.toUpperCase(),
  type: 'Observation',
  baseDefinition: 'http://parent',
});

describe('buildManifest', () => {
  it('sorts entries and examples and records the canonical a profile requires in meta.profile', () => {
    const manifest = buildManifest({
      canonical: 'https://x.org',
      fhirVersion: '4.0.1',
      dependencies: ['a#1'],
      requiredMetaProfile: (url) => (url.endsWith('/b') ? 'https://mes/b' : undefined),
      files: [
        { path: 'StructureDefinition-b.json', json: profile('b') },
        { path: 'StructureDefinition-a.json', json: profile('a') },
        { path: 'StructureDefinition-ext.json', json: { ...profile('ext'), type: 'Extension' } },
        { path: 'ValueSet-v.json', json: { resourceType: 'ValueSet', id: 'v', url: 'https://x.org/ValueSet/v' } },
        { path: 'example/Observation-2.json', json: { resourceType: 'Observation', id: '2', meta: { profile: ['https://mes/b'] } } },
        { path: 'example/Observation-1.json', json: { resourceType: 'Observation', id: '1' } },
      ],
    });
    expect(manifest.profiles.map((p) => [p.id, p.mesCanonical, p.parent])).toEqual([
      ['a', undefined, 'http://parent'],
      ['b', 'https://mes/b', 'http://parent'],
    ]);
    expect(manifest.extensions.map((p) => p.id)).toEqual(['ext']);
    expect(manifest.valueSets.map((v) => v.id)).toEqual(['v']);
    expect(manifest.examples).toEqual([
      { resourceType: 'Observation', id: '1', file: 'example/Observation-1.json', claims: [] },
      { resourceType: 'Observation', id: '2', file: 'example/Observation-2.json', claims: ['https://mes/b'] },
    ]);
  });

  it('records the profile of ours that the FSH InstanceOf of an example names, by name, id or url', () => {
    const manifest = buildManifest({
      dependencies: [],
      requiredMetaProfile: () => undefined,
      instanceOf: (id) => ({ byName: 'B', byId: 'a', byUrl: 'https://x.org/StructureDefinition/b', core: 'Observation' })[id],
      files: [
        { path: 'StructureDefinition-a.json', json: { ...profile('a'), name: 'A' } },
        { path: 'StructureDefinition-b.json', json: { ...profile('b'), name: 'B' } },
        ...['byName', 'byId', 'byUrl', 'core', 'none'].map((id) => ({ path: `example/Observation-${id}.json`, json: { resourceType: 'Observation', id } })),
      ],
    });
    expect(Object.fromEntries(manifest.examples.map((e) => [e.id, e.instanceOf]))).toEqual({
      byName: 'https://x.org/StructureDefinition/b',
      byId: 'https://x.org/StructureDefinition/a',
      byUrl: 'https://x.org/StructureDefinition/b',
      core: undefined,
      none: undefined,
    });
  });

  it('records the MES API of each profile, and none for an extension', () => {
    const manifest = buildManifest({
      dependencies: [],
      requiredMetaProfile: () => undefined,
      apiOf: (id) => ({ a: 'mesures', ext: 'mesures' })[id],
      files: [
        { path: 'StructureDefinition-a.json', json: profile('a') },
        { path: 'StructureDefinition-b.json', json: profile('b') },
        { path: 'StructureDefinition-ext.json', json: { ...profile('ext'), type: 'Extension' } },
      ],
    });
    expect(manifest.profiles.map((p) => [p.id, p.api])).toEqual([
      ['a', 'mesures'],
      ['b', undefined],
    ]);
    expect(manifest.extensions[0]?.api).toBeUndefined();
  });
});
