import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as builders from './builders/mesures.js';
import { generatedNarrative } from './builders/narrative.js';
import { checkResource, findProfile } from './check.js';
import { mesCanonicals, profiles } from './generated/registry.js';

const EXAMPLES = fileURLToPath(new URL('../../../generated/fhir/example/', import.meta.url));
// the folder's .index.json lists the examples; it is not one
const examples = readdirSync(EXAMPLES)
  .filter((f) => !f.startsWith('.'))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Record<string, any> }));
const MES = 'https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/';
const OURS = 'https://mes-fhir.org/fhir/StructureDefinition/';
const FEEDING = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';
const SEARCHSET = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-searchset';

const APPOINTMENT = 'https://mes-fhir.org/fhir/StructureDefinition/mes-appointment';
const APPOINTMENT_SEARCHSET = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-appointment-searchset';
/** Examples carry no claim of our canonicals (measures claim MES's): name the profile where needed. */
const profileFor = (json: Record<string, any>) => {
  if (json.resourceType === 'Appointment') return APPOINTMENT;
  if (json.resourceType === 'DocumentReference') return `${OURS}mes-documentreference`;
  if (json.resourceType !== 'Bundle') return undefined;
  if (json.type === 'transaction') return json.entry?.[0]?.resource?.resourceType === 'List' ? `${OURS}mes-bundle-provide-document` : FEEDING;
  if (/\/DocumentReference\?/.test(json.link?.[0]?.url ?? '')) return `${OURS}mes-bundle-document-searchset`;
  return json.entry?.[0]?.resource?.resourceType === 'Appointment' ? APPOINTMENT_SEARCHSET : SEARCHSET;
};
const errors = (resource: unknown, profile?: string) => checkResource(resource, profile).issues.filter((i) => i.severity === 'error');
const clone = <T>(v: T): T => structuredClone(v);

describe('registry', () => {
  it('resolves each MES canonical to the profile of ours that requires it', () => {
    expect(Object.keys(mesCanonicals)).toHaveLength(11);
    for (const [mes, ours] of Object.entries(mesCanonicals)) {
      expect(profiles[ours]?.mesCanonical).toBe(mes);
      expect(findProfile(mes)?.url).toBe(ours);
    }
  });
});

describe('entry points', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../../generated/fhir/manifest.json', import.meta.url), 'utf8')) as {
    profiles: Array<{ url: string; api?: string }>;
  };
  const exported = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> }).exports;
  const apis = [...new Set(manifest.profiles.map((p) => p.api))];

  it('each MES API of the manifest is an entry point with the schemas of its profiles, and only those', async () => {
    expect(apis.sort()).toEqual(['agenda', 'documents', 'mesures']);
    for (const api of apis) {
      expect(exported[`./${api}`], api).toEqual({ types: `./dist/${api}.d.ts`, default: `./dist/${api}.js` });
      const entry = (await import(/* @vite-ignore */ `./${api}.js`)) as Record<string, unknown>;
      for (const p of manifest.profiles) expect(`${profiles[p.url]!.name}Schema` in entry, `${api}: ${p.url}`).toBe(p.api === api);
    }
  });
});

describe('examples of generated/fhir', () => {
  it.each(examples.map((e) => [e.file, e.json] as const))('%s passes its schema and invariants', (_file, json) => {
    expect(errors(json, profileFor(json))).toEqual([]);
  });
});

/** One example per measure profile, found by the MES canonical it claims. */
const measureExamples = Object.keys(mesCanonicals).map((mes) => {
  const ex = examples.find((e) => e.json.meta?.profile?.includes(mes) && !(mes.endsWith('glucose') && e.json.code?.coding?.[0]?.code !== '2345-7'));
  if (!ex) throw new Error(`no example for ${mes}`);
  return [mes.slice(MES.length), ex.json] as const;
});

describe.each(measureExamples)('%s: mutations of the example are rejected at the right place', (mesId, example) => {
  const isBp = mesId === 'mes-observation-bp';

  it('a required element removed (subject.identifier)', () => {
    const r = clone(example);
    delete r.subject.identifier;
    expect(errors(r).map((i) => i.location)).toContain('Observation.subject.identifier');
  });

  it('status removed', () => {
    const r = clone(example);
    delete r.status;
    expect(errors(r).map((i) => i.location)).toContain('Observation.status');
  });

  it('a wrong fixed LOINC code', () => {
    const r = clone(example);
    for (const c of r.code.coding) if (c.system === 'http://loinc.org') c.code = '0000-0';
    const found = errors(r);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((i) => i.location.startsWith('Observation.code') || i.key === 'mes-glu-kind')).toBe(true);
  });

  it('a wrong unit', () => {
    const r = clone(example);
    const q = isBp ? r.component[0].valueQuantity : r.valueQuantity;
    q.code = 'lb';
    const locations = errors(r).map((i) => i.location);
    expect(locations).toContain(
      isBp ? 'Observation.component[0].valueQuantity.code' : mesId === 'mes-observation-glucose' ? 'Observation' : 'Observation.valueQuantity.code',
    );
  });

  it('an unknown property', () => {
    const r = { ...clone(example), poids: 72 };
    expect(errors(r)).toContainEqual(expect.objectContaining({ location: 'Observation.poids', message: 'unknown property "poids"' }));
  });

  it('a malformed dateTime', () => {
    const r = clone(example);
    r.effectiveDateTime = '2026-13-45T25:00:00';
    expect(errors(r).map((i) => i.location)).toContain('Observation.effectiveDateTime');
  });

  it('the MES canonical missing from meta.profile', () => {
    const r = clone(example);
    r.meta.profile = ['https://example.org/other'];
    expect(errors(r, profiles[mesCanonicals[MES + mesId]!]!.url).map((i) => i.location)).toContain('Observation.meta.profile');
  });
});

describe('MES-specific rules', () => {
  const bp = examples.find((e) => e.json.meta?.profile?.includes(`${MES}mes-observation-bp`))!.json;
  const glucose = examples.find((e) => e.json.id === 'ExampleBloodGlucose')!.json;
  const hba1c = examples.find((e) => e.json.id === 'ExampleHbA1c')!.json;
  const average = examples.find((e) => e.json.id === 'ExampleInterstitialGlucoseAverage')!.json;

  it('blood pressure with valueQuantity is refused', () => {
    const r = { ...clone(bp), valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } };
    expect(errors(r)).toContainEqual(expect.objectContaining({ location: 'Observation.valueQuantity' }));
  });

  it('blood pressure without its diastolic component is refused', () => {
    const r = clone(bp);
    r.component = r.component.filter((c: any) => c.code.coding[0].code !== '8462-4');
    expect(
      errors(r)
        .map((i) => i.message)
        .join('\n'),
    ).toMatch(/DiastolicBP/);
  });

  it('blood glucose without its moment is refused (mes-glu-moment)', () => {
    const r = clone(glucose);
    delete r.extension;
    expect(errors(r)).toContainEqual(expect.objectContaining({ key: 'mes-glu-moment', location: 'Observation' }));
  });

  it('HbA1c with a number of days is refused (mes-glu-days)', () => {
    const r = clone(hba1c);
    r.extension = [
      {
        url: 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days',
        valueCodeableConcept: { coding: [{ ...builders.GLUCOSE_NUMBER_OF_DAYS[14] }] },
      },
    ];
    expect(errors(r).map((i) => i.key)).toContain('mes-glu-days');
  });

  it('HbA1c with a moment is refused (mes-glu-moment-other), and only by that side of the rule', () => {
    const r = clone(hba1c);
    r.extension = [...(glucose.extension ?? [])];
    const keys = errors(r).map((i) => i.key);
    expect(keys).toContain('mes-glu-moment-other');
    expect(keys).not.toContain('mes-glu-moment');
  });

  it('an interstitial glucose average without its number of days is refused (mes-glu-days-required)', () => {
    const r = clone(average);
    delete r.extension;
    const keys = errors(r).map((i) => i.key);
    expect(keys).toContain('mes-glu-days-required');
    expect(keys).not.toContain('mes-glu-days');
  });

  it('HbA1c in mg/dL is refused (mes-glu-unit)', () => {
    const r = clone(hba1c);
    r.valueQuantity.code = 'mg/dL';
    expect(errors(r).map((i) => i.key)).toContain('mes-glu-unit');
  });
});

describe('narratives', () => {
  it('escape markup and drop the characters XML refuses, so that the div stays one XHTML element', () => {
    expect(generatedNarrative(['Dr <b>Léa</b> & Cie\u0001', '', '  '])).toEqual({
      status: 'generated',
      div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Dr &lt;b&gt;Léa&lt;/b&gt; &amp; Cie</p></div>',
    });
  });
});

describe('builders', () => {
  const patient = { oid: '2.999.1.2.3', idPe: 'IDPE-TEST' };
  const at = '2026-03-20T08:00:00+01:00';
  const outputs = {
    bodyWeight: builders.bodyWeight({ patient, effective: at, kg: 70.2 }),
    bodyHeight: builders.bodyHeight({ patient, effective: at, cm: 180 }),
    bmi: builders.bmi({ patient, effective: at, kgPerM2: 21.7 }),
    bloodPressure: builders.bloodPressure({ patient, effective: at, systolic: 120, diastolic: 80 }),
    bodyTemperature: builders.bodyTemperature({ patient, effective: at, celsius: 36.9 }),
    heartRate: builders.heartRate({ patient, effective: at, bpm: 60 }),
    bloodGlucose: builders.bloodGlucose({ patient, effective: at, mgPerDl: 110, moment: 'after-meal' }),
    hba1c: builders.hba1c({ patient, effective: at, percent: 6.1 }),
    glucoseAverage: builders.glucoseAverage({ patient, effective: at, kind: 'MED-969', value: 120, days: 14 }),
    painSeverity: builders.painSeverity({ patient, effective: at, score: 3 }),
    stepsByDay: builders.stepsByDay({ patient, effective: at, steps: 10234 }),
    waistCircumference: builders.waistCircumference({ patient, effective: at, cm: 82 }),
    headCircumference: builders.headCircumference({ patient, effective: at, cm: 45 }),
  };

  it.each(Object.entries(outputs))('%s passes its schema and invariants', (_name, resource) => {
    expect(errors(resource)).toEqual([]);
  });

  it('feedingBundle links the device, sets fullUrl, request and ifNoneExist', () => {
    const device = builders.phdDevice({
      identifierOid: '2.999.1.2.3.2',
      serial: 'SN-1',
      systemId: '001B2CFFFE3D4E5F',
      kind: 'weight-scale',
      manufacturer: 'Balances Exemple SAS',
      model: 'BX-200',
    });
    const bundle = builders.feedingBundle(outputs.bodyWeight, device);
    expect(errors(bundle, FEEDING)).toEqual([]);
    const [obsEntry, deviceEntry] = bundle.entry!;
    expect(obsEntry!.fullUrl).toBe(`urn:uuid:${outputs.bodyWeight.id}`);
    expect((obsEntry!.resource as { device?: { reference?: string } }).device?.reference).toBe(`Device/${device.id}`);
    expect(deviceEntry!.request).toEqual({ method: 'POST', url: 'Device', ifNoneExist: 'identifier=urn:oid:2.999.1.2.3.2|SN-1' });
  });

  it('the feeding Bundle rules catch a device that is not linked, and a BMI', () => {
    const device = builders.phdDevice({
      identifierOid: '2.999.1.2.3.2',
      serial: 'SN-1',
      systemId: '001B2CFFFE3D4E5F',
      kind: 'weight-scale',
      manufacturer: 'Balances Exemple SAS',
      model: 'BX-200',
    });
    const bundle = builders.feedingBundle(outputs.bodyWeight, device);
    (bundle.entry![0]!.resource as { device?: { reference?: string } }).device = { reference: 'Device/another' };
    expect(errors(bundle, FEEDING).map((i) => i.key)).toContain('mes-fb-device-link');
    const withBmi = builders.feedingBundle(outputs.bmi as never);
    expect(errors(withBmi, FEEDING).length).toBeGreaterThan(0);
  });

  it('never throws on any input', () => {
    for (const input of [null, undefined, 42, 'x', [], {}, { resourceType: 'Observation' }, { meta: { profile: 'x' } }]) {
      expect(() => checkResource(input)).not.toThrow();
      expect(() => checkResource(input, FEEDING)).not.toThrow();
    }
  });
});

describe('primitive formats', () => {
  it('base64Binary: a long value that fails at its end is refused at once (the R4 regex backtracks exponentially on it)', async () => {
    const { base64Binary } = await import('./generated/primitives.js');
    expect(base64Binary.safeParse('QUJD REVG').success).toBe(true);
    expect(base64Binary.safeParse('QUJ DREVG').success).toBe(false);
    const hostile = base64Binary.safeParse(`${'AAAA '.repeat(5_000)}!`);
    expect(hostile.success).toBe(false);
    expect(hostile.error?.issues[0]?.message).toBe('not a valid base64Binary');
  });
});
