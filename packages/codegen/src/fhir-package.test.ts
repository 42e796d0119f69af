import { describe, expect, it } from 'vitest';
import { buildDotIndex, buildFhirPackageJson, readFhirPackageConfig } from './fhir-package.js';

describe('buildFhirPackageJson', () => {
  it('names the package, its canonical and FHIR version, and keeps the dependencies in project order', () => {
    const json = buildFhirPackageJson({
      name: 'x.profiles',
      version: '1.2.0',
      canonical: 'https://x.org/fhir',
      title: 'X',
      fhirVersion: '4.0.1',
      dependencies: [
        { name: 'hl7.fhir.fr.core', version: '2.1.0' },
        { name: 'hl7.fhir.r4.core', version: '4.0.1' },
      ],
    });
    expect(json).toEqual({
      name: 'x.profiles',
      version: '1.2.0',
      canonical: 'https://x.org/fhir',
      url: 'https://x.org/fhir',
      title: 'X',
      fhirVersions: ['4.0.1'],
      dependencies: { 'hl7.fhir.fr.core': '2.1.0', 'hl7.fhir.r4.core': '4.0.1' },
      type: 'fhir.ig',
    });
    expect(Object.keys(json.dependencies)).toEqual(['hl7.fhir.fr.core', 'hl7.fhir.r4.core']);
  });
});

describe('buildDotIndex', () => {
  it('lists each file with its type, id, url, version and, for StructureDefinitions, kind and type; sorted by file name', () => {
    const index = buildDotIndex([
      { fileName: 'ValueSet-v.json', json: { resourceType: 'ValueSet', id: 'v', url: 'https://x/v', version: '1.0.0' } },
      {
        fileName: 'StructureDefinition-p.json',
        json: { resourceType: 'StructureDefinition', id: 'p', url: 'https://x/p', kind: 'resource', type: 'Observation' },
      },
      { fileName: 'Observation-o.json', json: { resourceType: 'Observation', id: 'o' } },
    ]);
    expect(index).toEqual({
      'index-version': 1,
      files: [
        { filename: 'Observation-o.json', resourceType: 'Observation', id: 'o' },
        { filename: 'StructureDefinition-p.json', resourceType: 'StructureDefinition', id: 'p', url: 'https://x/p', kind: 'resource', type: 'Observation' },
        { filename: 'ValueSet-v.json', resourceType: 'ValueSet', id: 'v', url: 'https://x/v', version: '1.0.0' },
      ],
    });
  });
});

describe('readFhirPackageConfig', () => {
  it('reads the package name and description, and rejects a name that is not a FHIR package name', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'fhir-package-config-'));
    try {
      await writeFile(join(dir, 'ok.yaml'), 'name: x.profiles\ntitle: X\nlicense: MIT\n');
      expect(await readFhirPackageConfig(join(dir, 'ok.yaml'))).toEqual({
        name: 'x.profiles',
        title: 'X',
        license: 'MIT',
        description: undefined,
        author: undefined,
      });
      await writeFile(join(dir, 'log.yaml'), 'name: x.profiles\nchangelog:\n  since: "1.0"\n  baseline: old.tgz\n');
      expect((await readFhirPackageConfig(join(dir, 'log.yaml'))).changelog).toEqual({ since: '1.0', baseline: 'old.tgz' });
      await writeFile(join(dir, 'badlog.yaml'), 'name: x.profiles\nchangelog:\n  since: "1.0"\n');
      await expect(readFhirPackageConfig(join(dir, 'badlog.yaml'))).rejects.toThrow(/"changelog" needs "since"/);
      await writeFile(join(dir, 'bad.yaml'), 'name: My Profiles\n');
      await expect(readFhirPackageConfig(join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml: "name" must be a FHIR package name/);
      await expect(readFhirPackageConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot be read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
