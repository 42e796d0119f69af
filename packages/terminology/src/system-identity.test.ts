import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders } from '@mes-fhir/fhir-packages';
import { Terminology } from './terminology.js';

// A NOS-like code system named by canonical and OID, LOINC republished under a NOS canonical, and
// a value set of each, as the mes-fhir.nos package has them.
const TRE = 'https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire';
const TRE_LOINC = 'https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc';
const VS = 'https://mos.esante.gouv.fr/NOS/JDV_J07-XdsTypeCode-CISIS/FHIR/JDV-J07-XdsTypeCode-CISIS';
const resources = [
  {
    resourceType: 'CodeSystem',
    url: TRE,
    identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.213.1.1.4.12' }],
    content: 'fragment',
    concept: [
      { code: 'DOCPAT01', display: 'Document patient' },
      { code: 'OLD', display: 'Ancien', property: [{ code: 'inactive', valueBoolean: true }] },
    ],
  },
  {
    resourceType: 'NamingSystem',
    kind: 'codesystem',
    uniqueId: [
      { type: 'oid', value: '1.2.250.1.213.1.1.4.12' },
      { type: 'uri', value: TRE },
    ],
  },
  {
    resourceType: 'CodeSystem',
    url: TRE_LOINC,
    identifier: [{ value: 'urn:oid:2.16.840.1.113883.6.1' }],
    content: 'fragment',
    concept: [{ code: '11488-4', display: 'CR de consultation' }],
  },
  // HL7's NamingSystem of LOINC: http://loinc.org has the same OID
  {
    resourceType: 'NamingSystem',
    kind: 'codesystem',
    uniqueId: [
      { type: 'oid', value: '2.16.840.1.113883.6.1' },
      { type: 'uri', value: 'http://loinc.org/rdf/', preferred: false },
      { type: 'uri', value: 'http://loinc.org', preferred: true },
    ],
  },
  {
    resourceType: 'ValueSet',
    url: VS,
    compose: {
      include: [
        { system: TRE, concept: [{ code: 'DOCPAT01', display: 'Document patient' }, { code: 'OLD' }] },
        { system: TRE_LOINC, concept: [{ code: '11488-4', display: 'CR de consultation' }] },
      ],
    },
  },
  // a filter-free include of the NOS system, checked code by code rather than expanded
  { resourceType: 'ValueSet', url: 'https://x.test/vs/all-a05', compose: { include: [{ system: TRE }] } },
];

let root: string;
let terminology: Terminology;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mes-identity-'));
  await Promise.all(resources.map((r, i) => writeFile(join(root, `r${i}.json`), JSON.stringify(r))));
  terminology = new Terminology(indexFolders([{ label: 'test', dir: root }]));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('a code system named by its canonical or its OID', () => {
  it('is one system for value set membership, either spelling', () => {
    for (const system of [TRE, 'urn:oid:1.2.250.1.213.1.1.4.12'])
      expect(terminology.validateCode({ system, code: 'DOCPAT01', valueSet: VS }).result, system).toBe('valid');
    for (const system of [TRE_LOINC, 'urn:oid:2.16.840.1.113883.6.1'])
      expect(terminology.validateCode({ system, code: '11488-4', valueSet: VS }).result, system).toBe('valid');
  });

  it('keeps two canonicals two systems, even with one OID (membership by system url, as MES checks it)', () => {
    expect(terminology.validateCode({ system: 'http://loinc.org', code: '11488-4', valueSet: VS }).result).toBe('invalid');
  });

  it('still refuses a code outside the value set, and another system with the same code', () => {
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'NOPE', valueSet: VS }).result).toBe('invalid');
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.99', code: 'DOCPAT01', valueSet: VS }).result).toBe('invalid');
    expect(terminology.validateCode({ system: 'http://snomed.info/sct', code: '11488-4', valueSet: VS }).result).toBe('invalid');
  });

  it('is one system for $validate-code on the code system and $lookup', () => {
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'DOCPAT01' }).result).toBe('valid');
    expect(terminology.lookup('urn:oid:1.2.250.1.213.1.1.4.12', 'DOCPAT01')?.display).toBe('Document patient');
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'DOCPAT01', valueSet: 'https://x.test/vs/all-a05' }).result).toBe(
      'valid',
    );
  });

  it('checks the display against the value set’s code system, whichever spelling the coding uses', () => {
    const r = terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'DOCPAT01', display: 'Autre chose', valueSet: VS });
    expect(r).toMatchObject({ result: 'valid', displayMismatch: true, display: 'Document patient' });
    expect(
      terminology.validateCode({ system: 'http://loinc.org', code: '11488-4', display: 'cr de consultation', valueSet: VS }).displayMismatch,
    ).toBeUndefined();
  });

  it('gives the canonical a NamingSystem prefers for an OID', () => {
    expect(terminology.systems.canonicalOf('2.16.840.1.113883.6.1')).toBe('http://loinc.org');
    expect(terminology.systems.canonicalOf('1.2.250.1.213.1.1.4.12')).toBe(TRE);
    expect(terminology.systems.canonicalOf('1.2.3.4')).toBeUndefined();
  });

  it('tells a retired concept: valid but inactive', () => {
    expect(terminology.validateCode({ system: TRE, code: 'OLD', valueSet: VS })).toMatchObject({ result: 'valid', inactive: true });
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'OLD' })).toMatchObject({ result: 'valid', inactive: true });
  });

  it('keeps no answer for systems that name nothing (hostile input cannot grow the cache)', () => {
    for (let i = 0; i < 1000; i++) terminology.systems.same(`https://x.test/none/${i}`, TRE);
    expect((terminology.systems as unknown as { oids: Map<string, string> }).oids.size).toBeLessThanOrEqual(3);
  });
});
