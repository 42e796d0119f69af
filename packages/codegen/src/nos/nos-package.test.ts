import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOS_CODE_SYSTEMS } from './code-systems.js';
import { buildNosPackage, codeSystemNamer } from './nos-package.js';
import { readSvs, SvsError } from './svs.js';

const svs = (concepts: string, attrs = '') => `<?xml version="1.0" encoding="UTF-8"?>
<RetrieveValueSetResponse xmlns="urn:ihe:iti:svs:2008">
  <ValueSet id="1.2.250.1.213.1.1.5.999" dateMaj="20240927120000" revisionDate="2024-09-27T12:00:00+01:00" dateFin="${attrs}"
            urlFichier="https://mos.esante.gouv.fr/NOS/JDV_J999-Essai-CISIS" description="Essai">
    <ConceptList>${concepts}</ConceptList>
  </ValueSet>
</RetrieveValueSetResponse>`;

const namer = codeSystemNamer(NOS_CODE_SYSTEMS, (oid) => (oid === '2.16.840.1.113883.6.96' ? 'http://snomed.info/sct' : undefined));

describe('readSvs', () => {
  it('reads the value set, its version and every concept, codes kept as text', () => {
    const vs = readSvs(
      svs(`<Concept code="01" codeSystem="1.2.250.1.213.1.1.4.12" displayName="Un &amp; deux"/>
           <Concept code="1.10" codeSystem="2.16.840.1.113883.6.96" displayName="Dix" dateFin="20250101120000"/>`),
      'JDV_J999.xml',
    );
    expect(vs).toMatchObject({ oid: '1.2.250.1.213.1.1.5.999', urlFichier: 'https://mos.esante.gouv.fr/NOS/JDV_J999-Essai-CISIS', dateMaj: '20240927120000' });
    expect(vs.concepts).toEqual([
      { code: '01', codeSystem: '1.2.250.1.213.1.1.4.12', displayName: 'Un & deux' },
      { code: '1.10', codeSystem: '2.16.840.1.113883.6.96', displayName: 'Dix', dateFin: '20250101120000' },
    ]);
    expect(vs.dateFin).toBeUndefined();
  });

  it('refuses what is not an SVS value set, naming the file', () => {
    expect(() => readSvs('<a>', 'broken.xml')).toThrow(SvsError);
    expect(() => readSvs('<x/>', 'other.xml')).toThrow(/other\.xml: no RetrieveValueSetResponse/);
    expect(() => readSvs(svs('').replace('urlFichier="https://mos.esante.gouv.fr/NOS/', 'urlFichier="https://evil.example/'), 'u.xml')).toThrow(
      /not a NOS JDV address/,
    );
    expect(() => readSvs(svs('<Concept codeSystem="1.2.3"/>'), 'c.xml')).toThrow(/c\.xml: concept 1 has no code/);
  });
});

describe('buildNosPackage', () => {
  const vs = readSvs(
    svs(`<Concept code="DOCPAT01" codeSystem="1.2.250.1.213.1.1.4.12" displayName="Doc"/>
         <Concept code="OLD" codeSystem="1.2.250.1.213.1.1.4.12" displayName="Ancien" dateFin="20200101120000"/>
         <Concept code="123" codeSystem="2.16.840.1.113883.6.96" displayName="Snomed"/>
         <Concept code="X9" codeSystem="1.2.3.4.5" displayName="Inconnu"/>
         <Concept code="E1762" codeSystem="ASTM" displayName="Full Document"/>`),
    'JDV_J999.xml',
  );
  const pkg = buildNosPackage([vs], namer);
  const file = (name: string) => pkg.files.find((f) => f.fileName === name)?.json as Record<string, any> | undefined;

  it('makes a ValueSet under the NOS canonical, composed by code system: NOS table, NamingSystem, else urn:oid', () => {
    const valueSet = file('ValueSet-JDV-J999-Essai-CISIS.json')!;
    expect(valueSet).toMatchObject({
      url: 'https://mos.esante.gouv.fr/NOS/JDV_J999-Essai-CISIS/FHIR/JDV-J999-Essai-CISIS',
      version: '20240927120000',
      status: 'active',
      identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.213.1.1.5.999' }],
    });
    expect(valueSet.compose.include.map((i: { system: string }) => i.system)).toEqual([
      'https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire',
      'http://snomed.info/sct',
      'urn:oid:1.2.3.4.5',
    ]);
  });

  it('leaves out a concept whose code system is not an OID, and says so', () => {
    expect(pkg.skipped).toEqual([expect.stringContaining('E1762 "Full Document" is in code system "ASTM"')]);
  });

  it('gives each NOS code system a fragment CodeSystem with its OID, retired concepts inactive, and a NamingSystem', () => {
    const cs = file('CodeSystem-TRE-A05-TypeDocComplementaire.json')!;
    expect(cs).toMatchObject({ content: 'fragment', identifier: [{ value: 'urn:oid:1.2.250.1.213.1.1.4.12' }], count: 2 });
    expect(cs.concept).toEqual([
      { code: 'DOCPAT01', display: 'Doc' },
      { code: 'OLD', display: 'Ancien', property: [{ code: 'inactive', valueBoolean: true }] },
    ]);
    expect(file('NamingSystem-TRE-A05-TypeDocComplementaire.json')!.uniqueId).toEqual([
      { type: 'oid', value: '1.2.250.1.213.1.1.4.12', preferred: true },
      { type: 'uri', value: cs.url, preferred: true },
    ]);
    // HL7's own code systems are not redefined; an unnamed OID gets a CodeSystem under urn:oid:
    expect(pkg.files.some((f) => f.json.url === 'http://snomed.info/sct')).toBe(false);
    expect(file('CodeSystem-oid-1.2.3.4.5.json')).toMatchObject({ url: 'urn:oid:1.2.3.4.5' });
  });

  it('marks a retired value set retired, and versions the package by the newest JDV', () => {
    const retired = buildNosPackage([{ ...vs, dateFin: '20241213120000' }], namer);
    expect(retired.files.find((f) => f.json.resourceType === 'ValueSet')!.json.status).toBe('retired');
    expect(pkg.packageJson).toMatchObject({ name: 'mes-fhir.nos', version: '2024.9.27', fhirVersions: ['4.0.1'] });
  });

  it('refuses two files of the same value set, naming both', () => {
    expect(() => buildNosPackage([vs, { ...vs, file: 'copy.xml' }], namer)).toThrow(/JDV_J999\.xml and copy\.xml are the same value set/);
  });

  it('is deterministic: the same files in another order give the same package', () => {
    const other = readSvs(svs('<Concept code="A" codeSystem="1.2.250.1.213.1.1.4.12" displayName="A"/>').replace(/J999-Essai/g, 'J998-Autre'), 'x.xml');
    expect(JSON.stringify(buildNosPackage([vs, other], namer))).toBe(JSON.stringify(buildNosPackage([other, vs], namer)));
  });
});

// The official SVS files: NOS_SVS_DIR, or ../shared/nos-svs beside the repository (as in CI)
const OFFICIAL = process.env.NOS_SVS_DIR ?? join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'nos-svs');
describe.runIf(existsSync(OFFICIAL))('the official NOS SVS files', () => {
  const names = existsSync(OFFICIAL) ? readdirSync(OFFICIAL).filter((n) => n.endsWith('.xml')) : [];
  const read = names.map((n) => ({ n, xml: readFileSync(join(OFFICIAL, n), 'utf8'), vs: readSvs(readFileSync(join(OFFICIAL, n), 'utf8'), n) }));

  it('all import, each with as many concepts as its file lists', () => {
    expect(names.length).toBeGreaterThanOrEqual(49);
    for (const { n, xml, vs } of read) expect(vs.concepts.length, n).toBe((xml.match(/<Concept\b/g) ?? []).length);
  });

  it('give ValueSets with every concept but those of a non-OID system', () => {
    const pkg = buildNosPackage(
      read.map((r) => r.vs),
      namer,
    );
    const composed = pkg.files
      .filter((f) => f.json.resourceType === 'ValueSet')
      .reduce((n, f) => n + (f.json.compose as { include: Array<{ concept: unknown[] }> }).include.reduce((m, i) => m + i.concept.length, 0), 0);
    const listed = read.reduce((n, r) => n + r.vs.concepts.length, 0);
    expect(composed).toBe(listed - pkg.skipped.length);
    expect(pkg.skipped.length).toBeLessThanOrEqual(1);
  });
});
