/**
 * What MES checks of glycaemia and devices, with the real packages: the NOS codes of the
 * glycaemia extensions (JDV_J157, JDV_J164) and the PhdDevice of the feeding Bundle.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';
import {
  GLUCOSE_MOMENTS,
  GLUCOSE_NUMBER_OF_DAYS,
  bloodGlucose,
  bloodPressure,
  bmi,
  bodyHeight,
  bodyTemperature,
  bodyWeight,
  checkResource,
  eui64,
  feedingBundle,
  glucoseAverage,
  hba1c,
  headCircumference,
  heartRate,
  painSeverity,
  phdDevice,
  stepsByDay,
  waistCircumference,
  type GlucoseMoment,
  type GlucoseNumberOfDays,
} from '@mes-fhir/profiles';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';

const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const J157 = 'https://mos.esante.gouv.fr/NOS/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS';
const J164 = 'https://mos.esante.gouv.fr/NOS/JDV_J164-GlucoseNumberOfDays-ENS/FHIR/JDV-J164-GlucoseNumberOfDays-ENS';
const FEEDING = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';
const ANS_FEEDING = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-bundle-flux-alimentation';
const PHD_DEVICE = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice';
const MOMENT_URL = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement';
const DAYS_URL = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days';

let validator: Validator;
const errors = (r: unknown, profile?: string) => validator.validateToIssues(r, { profile }).filter((i) => i.severity === 'error' || i.severity === 'fatal');
const example = (name: string) => JSON.parse(readFileSync(join(GENERATED, 'example', name), 'utf8')) as Record<string, any>;

const patient = { oid: '2.999.1.2.3', idPe: 'IDPE-TEST' };
const effective = '2026-03-20T08:00:00+01:00';
const scale = () =>
  phdDevice({
    identifierOid: '2.999.1.2.3.2',
    serial: 'BX-1',
    systemId: '001b2cfffe3d4e5f',
    kind: 'weight-scale',
    manufacturer: 'Balances Exemple SAS',
    model: 'BX-200',
  });

/** The package set a vendor's Validator.load() reads: with the NOS value sets that ship with mes-fhir. */
let asVendors: Validator;

beforeAll(async () => {
  const { index, packages } = await loadRepoIndex();
  validator = new Validator(indexFolders(projectLayers(packages, GENERATED)));
  asVendors = new Validator(index);
});

describe('glycaemia: the NOS value sets of the ANS extensions', () => {
  it.each(Object.keys(GLUCOSE_MOMENTS) as GlucoseMoment[])('moment %s: the builder writes the JDV_J157 coding, which validates', (moment) => {
    const r = bloodGlucose({ patient, effective, mgPerDl: 101, moment });
    const coding = r.extension!.find((e) => e.url === MOMENT_URL)!.valueCodeableConcept!.coding![0]!;
    expect(coding).toEqual(GLUCOSE_MOMENTS[moment]);
    expect(validator.terminology.validateCode({ system: coding.system, code: coding.code!, valueSet: J157 }).result).toBe('valid');
    expect(errors(r)).toEqual([]);
    expect(checkResource(r).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it.each(Object.keys(GLUCOSE_NUMBER_OF_DAYS).map((d) => (d === 'other' ? d : Number(d))) as GlucoseNumberOfDays[])(
    'number of days %s: the builder writes the JDV_J164 coding, which validates',
    (days) => {
      for (const kind of ['MED-969', 'MED-972'] as const) {
        const r = glucoseAverage({ patient, effective, kind, value: kind === 'MED-969' ? 142 : 62, days });
        const coding = r.extension!.find((e) => e.url === DAYS_URL)!.valueCodeableConcept!.coding![0]!;
        expect(coding).toEqual(GLUCOSE_NUMBER_OF_DAYS[days]);
        expect(validator.terminology.validateCode({ system: coding.system, code: coding.code!, valueSet: J164 }).result).toBe('valid');
        expect(errors(r), `${kind} ${days}`).toEqual([]);
        expect(checkResource(r).issues.filter((i) => i.severity === 'error')).toEqual([]);
      }
    },
  );

  it('the JDVs hold exactly the codes the NOS lists', () => {
    const codes = (url: string) => {
      const e = validator.terminology.expand(url);
      return e.ok ? e.concepts.map((c) => `${c.system.split('/').pop()}#${c.code}`).sort() : e.message;
    };
    expect(codes(J157)).toEqual([
      'TRE-A04-Loinc#16915-1',
      'TRE-A04-Loinc#53049-3',
      'TRE-A04-Loinc#88365-2',
      'TRE-A04-Loinc#LA11865-5',
      'TRE-A04-Loinc#LA46-8',
      'TRE-R313-CISP2#A05',
    ]);
    expect(codes(J164)).toEqual([
      'TRE-R308-TAASIP#GEN-092',
      'TRE-R308-TAASIP#GEN-275',
      'TRE-R308-TAASIP#GEN-276',
      'TRE-R308-TAASIP#GEN-277',
      'TRE-R308-TAASIP#GEN-278',
    ]);
  });

  it('a moment coded in the old working code system is refused, naming JDV_J157', () => {
    const r = example('Observation-ExampleBloodGlucose.json');
    r.extension[0].valueCodeableConcept = { coding: [{ system: 'https://mes-fhir.org/fhir/CodeSystem/mes-glucose-moment', code: 'fasting' }] };
    expect(errors(r)).toEqual([
      expect.objectContaining({ code: 'code-invalid', location: 'Observation.extension[0].valueCodeableConcept', message: expect.stringContaining(J157) }),
    ]);
    expect(checkResource(r).valid).toBe(false);
  });

  it('a number of days coded in the old working code system is refused, naming JDV_J164', () => {
    const r = example('Observation-ExampleInterstitialGlucoseAverage.json');
    r.extension[0].valueCodeableConcept = { coding: [{ system: 'https://mes-fhir.org/fhir/CodeSystem/mes-glucose-number-of-days', code: '14' }] };
    expect(errors(r)).toEqual([expect.objectContaining({ code: 'code-invalid', message: expect.stringContaining(J164) })]);
  });

  it('a LOINC moment under http://loinc.org is refused: the JDV lists it under the NOS system', () => {
    const r = example('Observation-ExampleBloodGlucose.json');
    r.extension[0].valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: '53049-3' }] };
    expect(errors(r).map((i) => i.message)).toEqual([expect.stringContaining(J157)]);
  });

  it('MED-969 outside the TRE_R308-TAASIP system is not a glycaemia kind (mes-glu-kind)', () => {
    const r = glucoseAverage({ patient, effective, kind: 'MED-969', value: 142, days: 14 });
    r.code = { coding: [{ system: 'https://example.org/med', code: 'MED-969' }] };
    expect(errors(r).map((i) => i.key)).toContain('mes-glu-kind');
  });
});

describe('the Device of a feeding Bundle: PhdDevice', () => {
  it('the example feeding Bundle validates against our Bundle, the ANS Bundle and, for its Device, PhdDevice', () => {
    const bundle = example('Bundle-ExampleFeedingBundle.json');
    expect(errors(bundle, FEEDING)).toEqual([]);
    expect(errors(bundle, ANS_FEEDING)).toEqual([]);
    expect(errors(bundle.entry[1].resource, PHD_DEVICE)).toEqual([]);
  });

  it('the builders produce the same: phdDevice conforms to PhdDevice, the Bundle to ours and the ANS one', () => {
    const device = scale();
    expect(device.identifier![1]!.value).toBe('00-1B-2C-FF-FE-3D-4E-5F');
    expect(errors(device, PHD_DEVICE)).toEqual([]);
    const bundle = feedingBundle(bodyWeight({ patient, effective, kg: 70.2 }), device);
    expect(errors(bundle, FEEDING)).toEqual([]);
    expect(errors(bundle, ANS_FEEDING)).toEqual([]);
    expect(checkResource(bundle, FEEDING).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('every measure builder, phdDevice and feedingBundle validate with no warning: each writes a generated narrative (dom-6)', () => {
    const measures = [
      bodyWeight({ patient, effective, kg: 70.2 }),
      bodyHeight({ patient, effective, cm: 176 }),
      bmi({ patient, effective, kgPerM2: 22.7 }),
      bloodPressure({ patient, effective, systolic: 128, diastolic: 82 }),
      bodyTemperature({ patient, effective, celsius: 37.1 }),
      heartRate({ patient, effective, bpm: 64 }),
      bloodGlucose({ patient, effective, mgPerDl: 96, moment: 'fasting' }),
      hba1c({ patient, effective, percent: 6.1 }),
      glucoseAverage({ patient, effective, kind: 'MED-969', value: 132, days: 14 }),
      painSeverity({ patient, effective, score: 4 }),
      stepsByDay({ patient, effective, steps: 8432 }),
      waistCircumference({ patient, effective, cm: 86 }),
      headCircumference({ patient, effective, cm: 41.5 }),
    ];
    // R4's vital-signs profile binds code extensibly to LOINC vital signs, which lack pain, steps and waist
    const MES_OWN =
      /^http:\/\/loinc\.org#(72514-3|41950-7|8280-0) is not in the extensible value set http:\/\/hl7\.org\/fhir\/ValueSet\/observation-vitalsignresult$/;
    const notQuiet = (r: unknown, profile?: string) =>
      asVendors
        .validateToIssues(r, { profile })
        .filter((i) => i.severity !== 'information' && !MES_OWN.test(i.message))
        .map((i) => `${i.location} ${i.message}`);
    for (const m of measures) {
      expect(notQuiet(m), m.code.coding[0]!.code).toEqual([]);
      expect(m.text!.div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"><p>.+: [\d.]+ \S+<\/p>/);
    }
    expect(measures[3]!.text!.div).toContain('<p>Systolic blood pressure: 128 mmHg</p><p>Diastolic blood pressure: 82 mmHg</p>');
    const device = scale();
    expect(notQuiet(device, PHD_DEVICE)).toEqual([]);
    expect(notQuiet(feedingBundle(bodyWeight({ patient, effective, kg: 70.2 }), device), FEEDING)).toEqual([]);
  });

  it('a Device without its system id is refused, in the Bundle too', () => {
    const device = scale();
    device.identifier = device.identifier!.slice(0, 1);
    expect(errors(device, PHD_DEVICE)).toEqual([
      expect.objectContaining({ location: 'Device.identifier', message: expect.stringMatching(/systemIdIdentifier: minimum required = 1/) }),
    ]);
    const bundle = feedingBundle(bodyWeight({ patient, effective, kg: 70.2 }), device);
    expect(
      errors(bundle, FEEDING)
        .map((i) => i.message)
        .join('\n'),
    ).toMatch(/systemIdIdentifier: minimum required = 1/);
  });

  it('a Device without the version of its specialization is refused', () => {
    const device = scale();
    delete device.specialization![0]!.version;
    expect(errors(device, PHD_DEVICE).map((i) => i.message)).toContainEqual(expect.stringMatching(/Device\.specialization\.version: minimum required = 1/));
  });

  it('eui64 accepts 16 hex digits with or without separators and refuses anything else', () => {
    expect(eui64('00:1b:2c:ff:fe:3d:4e:5f')).toBe('00-1B-2C-FF-FE-3D-4E-5F');
    expect(() => eui64('00-1B-2C')).toThrow(/not an IEEE EUI-64/);
  });
});
