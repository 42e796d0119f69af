import { describe, expect, it } from 'vitest';
import { parseProjectPackages } from './config.js';
import { ProjectConfigError } from './errors.js';
import { compareVersions, pickVersion } from './versions.js';

describe('parseProjectPackages', () => {
  it('reads the canonical, the FHIR core package and the dependencies in both SUSHI forms', () => {
    const project = parseProjectPackages(
      'canonical: https://x.org\nfhirVersion: 4.0.1\ndependencies:\n  a.b: 1.2.3\n  c.d:\n    version: 5.3.0-ballot-tc1\n    uri: http://x\n',
    );
    expect(project.canonical).toBe('https://x.org');
    expect(project.core).toEqual({ name: 'hl7.fhir.r4.core', version: '4.0.1' });
    expect(project.dependencies).toEqual([
      { name: 'a.b', version: '1.2.3' },
      { name: 'c.d', version: '5.3.0-ballot-tc1' },
    ]);
  });

  it.each([
    ['', /empty/],
    ['fhirVersion: [', /not valid YAML/],
    ['canonical: x', /fhirVersion is missing/],
    ['fhirVersion: 3.0.2', /unsupported FHIR version/],
    ['fhirVersion: 4.0.1\ndependencies:\n  a.b:\n    uri: x', /a\.b has no version/],
  ])('rejects %j', (text, message) => {
    expect(() => parseProjectPackages(text)).toThrow(ProjectConfigError);
    expect(() => parseProjectPackages(text)).toThrow(message);
  });
});

describe('versions', () => {
  it('orders releases numerically and pre-releases before their release', () => {
    expect(['1.10.0', '1.2.0', '1.2.0-ballot', '0.9.9'].sort(compareVersions)).toEqual(['0.9.9', '1.2.0-ballot', '1.2.0', '1.10.0']);
  });
  it('picks exact, wildcard and latest versions', () => {
    const available = ['2.0.1', '2.1.0', '2.2.0', '3.0.0-ballot'];
    expect(pickVersion('2.1.0', available)).toBe('2.1.0');
    expect(pickVersion('2.1.1', available)).toBeUndefined();
    expect(pickVersion('2.x', available)).toBe('2.2.0');
    expect(pickVersion('latest', available)).toBe('2.2.0');
  });
});
