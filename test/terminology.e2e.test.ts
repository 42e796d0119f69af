/** @mes-fhir/terminology over the real package set, and its CLI commands. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexFolders, cachedPackageDir, type InstallResult } from '@mes-fhir/fhir-packages';
import { Terminology, type ExpansionContains } from '@mes-fhir/terminology';
import { loadRepoIndex, REPO_ROOT, runCli } from './helpers/repo.js';

let terminology: Terminology;
let packages: InstallResult;

beforeAll(async () => {
  const loaded = await loadRepoIndex();
  packages = loaded.packages;
  terminology = new Terminology(loaded.index);
});

describe('expansions against what the packages ship', () => {
  const r4Only = () => {
    const r4 = packages.packages.find((p) => p.name === 'hl7.fhir.r4.core')!;
    return new Terminology(indexFolders([{ label: 'r4', dir: cachedPackageDir(packages.cacheDir, r4) }]));
  };
  const shippedCodes = (t: Terminology, url: string) => {
    const out: string[] = [];
    const walk = (list: ExpansionContains[] = []) => list.forEach((c) => (c.code && !c.abstract && out.push(c.code), walk(c.contains)));
    walk(t.valueSet(url)!.expansion!.contains);
    return out.sort();
  };
  const ourCodes = (t: Terminology, url: string) => {
    const e = t.expand(url);
    if (!e.ok) throw new Error(e.message);
    return e.concepts;
  };

  it('expands an R4 value set built from an import and explicit concepts exactly as R4 ships it', () => {
    const t = r4Only();
    const url = 'http://hl7.org/fhir/ValueSet/yesnodontknow';
    expect(
      ourCodes(t, url)
        .map((c) => c.code)
        .sort(),
    ).toEqual(shippedCodes(t, url));
  });

  it('expands the filtered R4 value set "inactive" (descendent-of on v3 ActMood) to what R4 ships, plus only the codes retired since', () => {
    const t = r4Only();
    const url = 'http://hl7.org/fhir/ValueSet/inactive';
    const shipped = shippedCodes(t, url);
    const ours = ourCodes(t, url);
    expect(shipped).toEqual(['CRT', 'EXPEC', 'GOL', 'OPT', 'RSK']);
    expect(ours.map((c) => c.code)).toEqual(expect.arrayContaining(shipped));
    // The expansion R4 ships dates from 2017; the codes added to ActMood since are all retired or deprecated ones.
    const cs = t.codeSystem('http://terminology.hl7.org/CodeSystem/v3-ActMood')!;
    for (const extra of ours.filter((c) => !shipped.includes(c.code))) {
      expect(cs.get(extra.code)!.properties.get('status'), extra.code).toEqual([expect.stringMatching(/retired|deprecated/)]);
    }
  });

  it('expands FrCore and MES value sets', () => {
    // the NOS JDV of the glycaemia moment, restated by our FSH under its own canonical
    const moment = terminology.expand('https://mos.esante.gouv.fr/NOS/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS');
    expect(moment.ok && moment.concepts.map((c) => c.code)).toEqual(['53049-3', '16915-1', '88365-2', 'LA11865-5', 'LA46-8', 'A05']);
    const bodyWeightUnits = terminology.expand('http://hl7.org/fhir/ValueSet/ucum-bodyweight');
    expect(bodyWeightUnits.ok && bodyWeightUnits.concepts.map((c) => c.code).sort()).toEqual(['[lb_av]', 'g', 'kg']);
  });
});

describe('validate-code on MES bindings', () => {
  it.each([
    ['http://hl7.org/fhir/ValueSet/ucum-bodyweight', 'http://unitsofmeasure.org', 'kg', 'valid'],
    ['http://hl7.org/fhir/ValueSet/ucum-bodyweight', 'http://unitsofmeasure.org', 'cm', 'invalid'],
    ['http://hl7.org/fhir/ValueSet/ucum-bodytemp', 'http://unitsofmeasure.org', 'Cel', 'valid'],
    ['http://hl7.org/fhir/ValueSet/observation-status', 'http://hl7.org/fhir/observation-status', 'final', 'valid'],
    ['http://hl7.org/fhir/ValueSet/observation-status', 'http://hl7.org/fhir/observation-status', 'done', 'invalid'],
    [
      'https://mos.esante.gouv.fr/NOS/JDV_J164-GlucoseNumberOfDays-ENS/FHIR/JDV-J164-GlucoseNumberOfDays-ENS',
      'https://mos.esante.gouv.fr/NOS/TRE_R308-TAASIP/FHIR/TRE-R308-TAASIP',
      'GEN-276',
      'valid',
    ],
    [
      'https://mos.esante.gouv.fr/NOS/JDV_J164-GlucoseNumberOfDays-ENS/FHIR/JDV-J164-GlucoseNumberOfDays-ENS',
      'https://mos.esante.gouv.fr/NOS/TRE_R308-TAASIP/FHIR/TRE-R308-TAASIP',
      'GEN-999',
      'invalid',
    ],
    [
      'https://mos.esante.gouv.fr/NOS/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS',
      'https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc',
      '53049-3',
      'valid',
    ],
    // membership is by system and code: the same LOINC code under http://loinc.org is not in the JDV
    ['https://mos.esante.gouv.fr/NOS/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS', 'http://loinc.org', '53049-3', 'invalid'],
    ['http://hl7.org/fhir/ValueSet/ucum-units', 'http://unitsofmeasure.org', 'mg/dL', 'valid'],
    ['http://hl7.org/fhir/ValueSet/ucum-units', 'http://unitsofmeasure.org', 'mg/dl/', 'invalid'],
  ])('%s: %s#%s is %s', (valueSet, system, code, expected) => {
    expect(terminology.validateCode({ system, code, valueSet }).result).toBe(expected);
  });
});

describe('CLI', () => {
  it('expand prints the codes (text) and an R4 ValueSet expansion (json)', async () => {
    const text = await runCli(['expand', 'http://hl7.org/fhir/ValueSet/observation-status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^http:\/\/hl7.org\/fhir\/observation-status\s+final\s+Final$/m);
    const json = await runCli([
      'expand',
      'https://mos.esante.gouv.fr/NOS/JDV_J164-GlucoseNumberOfDays-ENS/FHIR/JDV-J164-GlucoseNumberOfDays-ENS',
      '--format',
      'json',
    ]);
    expect(json.code).toBe(0);
    const vs = JSON.parse(json.stdout);
    expect(vs.resourceType).toBe('ValueSet');
    expect(vs.expansion.total).toBe(5);
    expect(vs.expansion.contains[0]).toMatchObject({
      system: 'https://mos.esante.gouv.fr/NOS/TRE_R308-TAASIP/FHIR/TRE-R308-TAASIP',
      code: 'GEN-275',
      display: '7j',
    });
    // and our own validator accepts what we write
    const file = join(mkdtempSync(join(tmpdir(), 'mes-fhir-expand-')), 'expansion.json');
    writeFileSync(file, json.stdout);
    const checked = await runCli(['validate', file]);
    expect(checked.stdout, checked.stdout).toMatch(/^valid /m);
    expect(checked.code).toBe(0);
  });

  it('expand explains a value set that cannot be expanded offline, exit 1', async () => {
    const out = await runCli(['expand', 'http://hl7.org/fhir/ValueSet/observation-codes']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/external-system: code system http:\/\/loinc.org is not loaded/);
  });

  it('validate-code exits 0 for a valid code, 1 for an invalid one, and prints why', async () => {
    const ok = await runCli([
      'validate-code',
      '--system',
      'http://unitsofmeasure.org',
      '--code',
      'kg',
      '--valueset',
      'http://hl7.org/fhir/ValueSet/ucum-bodyweight',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: /);
    const bad = await runCli(['validate-code', '--system', 'http://unitsofmeasure.org', '--code', 'lbs']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^invalid: "lbs" is not a valid UCUM code/);
    const usage = await runCli(['validate-code', '--code', 'x']);
    expect(usage.code).toBe(2);
  });
});

describe('NOS value sets (the FHIR package mes-fhir.nos, loaded by default)', () => {
  const NOS = 'https://mos.esante.gouv.fr/NOS';
  const J07 = `${NOS}/JDV_J07-XdsTypeCode-CISIS/FHIR/JDV-J07-XdsTypeCode-CISIS`;
  const J145 = `${NOS}/JDV_J145-MethodBodyWeight-ENS/FHIR/JDV-J145-MethodBodyWeight-ENS`;
  const A05 = `${NOS}/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire`;

  it('expands JDV-J07 to its concepts and JDV-J157 to the six MES validates against', () => {
    const j07 = terminology.expand(J07);
    if (!j07.ok) throw new Error(j07.message);
    // the SVS file lists 114 concepts; the one of the non-OID system "ASTM" has no FHIR system
    expect(j07.concepts).toHaveLength(113);
    expect(j07.concepts.find((c) => c.code === 'DOCPAT01')).toMatchObject({ system: A05 });
    const j157 = terminology.expand(`${NOS}/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS`);
    expect(j157.ok && j157.concepts.map((c) => c.code).sort()).toEqual(['16915-1', '53049-3', '88365-2', 'A05', 'LA11865-5', 'LA46-8']);
    // the NOS version of 2024 is there too, by its version
    const j157Nos = terminology.expand(`${NOS}/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS|20240927120000`);
    expect(j157Nos.ok && j157Nos.concepts.map((c) => c.code)).toContain('MED-1278');
  });

  it('validates a listed code under either spelling of its system, refuses an unlisted one', () => {
    for (const system of [A05, 'urn:oid:1.2.250.1.213.1.1.4.12'])
      expect(terminology.validateCode({ system, code: 'DOCPAT01', valueSet: J07 }).result, system).toBe('valid');
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'NOT-A-TYPE', valueSet: J07 }).result).toBe('invalid');
    expect(terminology.validateCode({ system: 'urn:oid:1.2.250.1.213.1.1.4.12', code: 'DOCPAT01', display: 'Autre', valueSet: J07 })).toMatchObject({
      result: 'valid',
      displayMismatch: true,
    });
  });

  it('judges NOS bindings by strength in the validator: preferred, information; extensible, a warning', async () => {
    const { Validator } = await import('@mes-fhir/validator');
    const validator = new Validator(terminology.index);
    const read = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'generated', 'fhir', 'example', file), 'utf8')) as Record<string, unknown>;
    const ids = (resource: unknown, profile?: string) =>
      validator.validateToIssues(resource, profile ? { profile } : {}).map((i) => `${i.severity} ${i.id} ${i.location}`);
    const DOCUMENT_REFERENCE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-documentreference';

    const doc = read('DocumentReference-ExampleDocumentReference.json');
    expect(ids(doc, DOCUMENT_REFERENCE).filter((i) => i.includes('practiceSetting') || i.endsWith('DocumentReference.type'))).toEqual([
      // its LOINC code under http://loinc.org: J07 lists LOINC under the NOS's TRE_A04-Loinc
      'information code-not-in-preferred-value-set DocumentReference.type',
    ]);
    const practiceSetting = (code: string) => ({
      ...doc,
      context: { ...(doc.context as object), practiceSetting: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.9', code }] } },
    });
    expect(ids(practiceSetting('AMBULATOIRE'), DOCUMENT_REFERENCE).filter((i) => i.includes('practiceSetting'))).toEqual([]);
    expect(ids(practiceSetting('NOT-A-SETTING'), DOCUMENT_REFERENCE)).toContain(
      'information code-not-in-preferred-value-set DocumentReference.context.practiceSetting',
    );

    const weight = read('Observation-ExampleBodyWeight.json');
    const method = (system: string, code: string) => ids({ ...weight, method: { coding: [{ system, code }] } }).filter((i) => i.includes('method'));
    expect(method('https://smt.esante.gouv.fr/terminologie-emdn', 'V030210')).toEqual([]);
    expect(method('urn:oid:1.2.250.1.213.2.68', 'V030210')).toEqual([]);
    expect(method('https://smt.esante.gouv.fr/terminologie-emdn', 'Z999')).toEqual(['warning code-not-in-extensible-value-set Observation.method']);
    // a system the value set does not list extends the extensible binding
    expect(method('http://snomed.info/sct', '363787002')).toEqual([]);
    expect(terminology.listsSystem(J145, 'http://snomed.info/sct')).toBe(false);
  });

  it('validate-code and expand on the command line, with the bundled NOS package', async () => {
    const ok = await runCli(['validate-code', '--system', 'urn:oid:1.2.250.1.213.1.1.4.12', '--code', 'DOCPAT01', '--valueset', J07]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: /);
    const bad = await runCli(['validate-code', '--system', A05, '--code', 'NOT-A-TYPE', '--valueset', J07]);
    expect(bad.code).toBe(1);
    const expanded = await runCli(['expand', J07]);
    expect(expanded.code).toBe(0);
    expect(expanded.stdout.trim().split('\n')).toHaveLength(113);
  });
});
