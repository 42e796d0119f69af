/** @mes-fhir/validator on the real package set: one fixture family per check. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { indexFolders, projectLayers, type InstallResult } from '@mes-fhir/fhir-packages';
import { Validator, isValid, type ValidationIssue } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';

let validator: Validator;
let packages: InstallResult;
const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const FEEDING = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
const example = (name: string) => read(join(GENERATED, 'example', name));
const clone = <T>(v: T): T => structuredClone(v);
const issues = (r: unknown, profile?: string) => validator.validateToIssues(r, { profile });
const errors = (r: unknown, profile?: string) => issues(r, profile).filter((i) => i.severity === 'error' || i.severity === 'fatal');
const has = (list: ValidationIssue[], code: string, location: string) => list.some((i) => i.code === code && i.location === location);

beforeAll(async () => {
  const loaded = await loadRepoIndex();
  packages = loaded.packages;
  validator = new Validator(indexFolders(projectLayers(packages, GENERATED)));
});

describe('examples', () => {
  const own = readdirSync(join(GENERATED, 'example'))
    .filter((f) => !f.startsWith('.'))
    .map((f) => [f, join(GENERATED, 'example', f)] as const);
  it.each(own)('generated example %s has no error', (_f, file) => {
    expect(errors(read(file))).toEqual([]);
  });

  it('every example shipped by the ANS and FrCore packages has no error, but the documented faults', () => {
    const checked: string[] = [];
    const inseeFault: string[] = [];
    // PDSm's examples (and their documented faults) are checked in documents.e2e.test.ts; a guide's
    // examples are validated as its publisher does: example URLs allowed
    const forExamples = new Validator(validator.index, ['generated'], { allowExampleUrls: true });
    for (const p of packages.packages.filter((x) => (x.name.startsWith('ans.') && x.name !== 'ans.fhir.fr.pdsm') || x.name === 'hl7.fhir.fr.core')) {
      const dir = join(p.dir, 'example');
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
        const found = forExamples.validateToIssues(read(join(dir, f))).filter((i) => i.severity === 'error' || i.severity === 'fatal');
        // Some examples code a commune in TRE_R13-Commune, but fr-core-vs-insee-code (required)
        // includes only TRE_R13-CommuneOM: they do not meet FrCore's binding. That error only.
        if (found.length && found.every((i) => i.code === 'code-invalid' && /TRE_R13-Commune.*fr-core-vs-insee-code/.test(i.message))) inseeFault.push(f);
        else if (/^PractitionerRole-\d+DP\.json$/.test(f)) {
          // as-dp-practitionerrole requires an identifier in https://rpps.esante.gouv.fr; these examples' are in https://annuaire.sante.fr
          expect(found.map((i) => i.message)).toEqual([expect.stringMatching(/idSituationExercice: minimum required = 1/)]);
        } else expect(found, `${p.name} ${f}`).toEqual([]);
        checked.push(f);
      }
    }
    expect(inseeFault).toContain('Patient-ExampleFRCorePatient001.json');
    expect(inseeFault.length).toBeLessThanOrEqual(9);
    expect(checked.length).toBeGreaterThanOrEqual(15);
  });
});

describe('structure', () => {
  const weight = () => example('Observation-ExampleBodyWeight.json');
  it('unknown property', () => expect(has(errors({ ...weight(), poids: 1 }), 'structure', 'Observation.poids')).toBe(true));
  it('reads own properties only, as JSON has them: what an object inherits is not part of the resource', () => {
    const r = weight();
    const status = r.status;
    delete r.status;
    const inheriting = Object.assign(Object.create({ poids: 1, status }), r);
    const found = errors(inheriting);
    expect(has(found, 'structure', 'Observation.poids')).toBe(false);
    expect(has(found, 'required', 'Observation.status')).toBe(true);
    expect(errors({ ...inheriting, status })).toEqual([]);
  });
  it('single value where an array is required', () => {
    const r = weight();
    r.category = r.category[0];
    expect(has(errors(r), 'structure', 'Observation.category')).toBe(true);
  });
  it('array where a single value is required', () => {
    const r = weight();
    r.status = [r.status];
    expect(has(errors(r), 'structure', 'Observation.status')).toBe(true);
  });
  it('null and empty objects', () => {
    const r = weight();
    r.issued = null;
    r.valueQuantity.extension = [{}];
    const found = errors(r);
    expect(has(found, 'structure', 'Observation.issued')).toBe(true);
    expect(found.some((i) => i.key === 'ele-1')).toBe(true);
  });
  it('JSON type of a primitive and its format', () => {
    const r = weight();
    r.valueQuantity.value = '72.5';
    r.effectiveDateTime = '2026-02-30T25:00:00+01:00';
    const found = errors(r);
    expect(has(found, 'value', 'Observation.valueQuantity.value')).toBe(true);
    expect(has(found, 'value', 'Observation.effectiveDateTime')).toBe(true);
  });
  it('primitive extensions are checked as Element', () => {
    const r = weight();
    r._status = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    expect(errors(r)).toEqual([]);
    r._nothing = {};
    expect(has(errors(r), 'structure', 'Observation._nothing')).toBe(true);
  });
  it('unknown resource type', () => expect(has(errors({ resourceType: 'Banana' }), 'structure', 'Banana')).toBe(true));
  it('calendar dates, resource ids and narratives', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.effectiveDateTime = '2026-02-30T08:00:00+01:00';
    r.id = 'not an id!';
    r.text = { status: 'generated', div: '<div>Poids</div>' };
    const found = errors(r);
    expect(has(found, 'value', 'Observation.effectiveDateTime')).toBe(true);
    expect(has(found, 'value', 'Observation.id')).toBe(true);
    expect(has(found, 'value', 'Observation.text.div')).toBe(true);
    r.effectiveDateTime = '2024-02-29T08:00:00+01:00';
    r.id = 'weight-1';
    r.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Poids : 72,5 kg</div>' };
    expect(errors(r)).toEqual([]);
  });
  it('resource ids: 1 to 64 letters, digits, "-" or "." (checked beside the text rule of their string type)', () => {
    const idIssues = (id: string) => errors({ resourceType: 'Patient', id }).filter((i) => i.location === 'Patient.id');
    for (const bad of ['bad-id_1', 'a b', ' lead', 'x'.repeat(65), 'x'.repeat(90), 'é']) expect(idIssues(bad), JSON.stringify(bad)).toHaveLength(1);
    for (const good of ['x'.repeat(64), 'ok-1.2', 'A', '123']) expect(idIssues(good), good).toEqual([]);
  });
});

describe('cardinality, fixed and pattern values', () => {
  it('a missing required element', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    delete r.subject.identifier;
    expect(has(errors(r), 'required', 'Observation.subject.identifier')).toBe(true);
  });
  it('an element the profile forbids (blood pressure value[x])', () => {
    const r = {
      ...example('Observation-ExampleBloodPressure.json'),
      valueQuantity: { value: 1, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    };
    expect(has(errors(r), 'structure', 'Observation.valueQuantity')).toBe(true);
  });
  it('a fixed value', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.valueQuantity.code = 'g';
    expect(has(errors(r), 'value', 'Observation.valueQuantity.code')).toBe(true);
  });
  it('a pattern value (FrCore vital-signs category)', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.category[0].coding[0].code = 'laboratory';
    expect(errors(r).some((i) => i.location.startsWith('Observation.category'))).toBe(true);
  });
});

describe('slicing', () => {
  it('slice minimum (blood pressure without diastolic)', () => {
    const r = example('Observation-ExampleBloodPressure.json');
    r.component = r.component.filter((c: any) => c.code.coding[0].code !== '8462-4');
    expect(errors(r).some((i) => i.code === 'required' && i.message.includes('DiastolicBP'))).toBe(true);
  });
  it('slice maximum (two systolic components)', () => {
    const r = example('Observation-ExampleBloodPressure.json');
    r.component.push(clone(r.component[0]));
    expect(errors(r).some((i) => i.message.includes('SystolicBP: maximum allowed = 1'))).toBe(true);
  });
  it('closed slicing (a third entry in the feeding Bundle)', () => {
    const r = example('Bundle-ExampleFeedingBundle.json');
    r.entry.push({
      fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000000',
      resource: { resourceType: 'Patient' },
      request: { method: 'POST', url: 'Patient' },
    });
    expect(has(errors(r, FEEDING), 'structure', 'Bundle.entry[2]')).toBe(true);
    expect(has(errors(r), 'structure', 'Bundle.entry[2]')).toBe(false); // base Bundle: any entry
  });
  it('items of a slice meet the slice definition (systolic in the wrong unit)', () => {
    const r = example('Observation-ExampleBloodPressure.json');
    r.component[0].valueQuantity.code = 'kPa';
    expect(has(errors(r), 'value', 'Observation.component[0].valueQuantity.code')).toBe(true);
  });
});

describe('extensions', () => {
  it('an extension whose definition cannot be found is not allowed (the Java default), nor a modifier one', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.extension = [{ url: 'https://example.org/unknown', valueString: 'x' }];
    expect(has(errors(r), 'structure', 'Observation.extension[0]')).toBe(true);
    r.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo', valueReference: { reference: 'Observation/a' } }];
    expect(errors(r)).toEqual([]);
    r.modifierExtension = [{ url: 'https://example.org/unknown', valueString: 'x' }];
    expect(has(errors(r), 'structure', 'Observation.modifierExtension[0]')).toBe(true);
  });
  it('an extension is checked against its definition (value type)', () => {
    const r = example('Observation-ExampleBloodGlucose.json');
    r.extension[0] = { url: 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement', valueString: 'à jeun' };
    expect(errors(r).some((i) => i.location === 'Observation.extension[0].valueString')).toBe(true);
  });
});

describe('bindings', () => {
  it('required binding: error', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.status = 'done';
    expect(has(errors(r), 'code-invalid', 'Observation.status')).toBe(true);
  });
  it('extensible binding: warning', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.interpretation = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'NOPE' }] }];
    expect(issues(r)).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'code-invalid', location: 'Observation.interpretation[0]' }));
  });
  it('a code system that is not available offline: a warning saying so', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.method = { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R306-CLADIMED/FHIR/TRE-R306-CLADIMED', code: 'K50BI02' }] };
    expect(issues(r)).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'not-supported', location: 'Observation.method' }));
  });
  it('an invalid UCUM unit', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.referenceRange = [{ low: { value: 50, system: 'http://unitsofmeasure.org', code: 'kilo' } }];
    expect(has(errors(r), 'code-invalid', 'Observation.referenceRange[0].low.code')).toBe(true);
  });
});

describe('invariants', () => {
  it('profile invariants (glycaemia moment) with their severity and location', () => {
    const r = example('Observation-ExampleBloodGlucose.json');
    delete r.extension;
    expect(errors(r)).toContainEqual(expect.objectContaining({ code: 'invariant', key: 'mes-glu-moment', location: 'Observation' }));
  });
  it('inherited invariants (obs-6: dataAbsentReason only without a value)', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.dataAbsentReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }] };
    expect(errors(r)).toContainEqual(expect.objectContaining({ key: 'obs-6' }));
  });
  it('data type invariants (qty-3: a code needs a system)', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.referenceRange = [{ low: { value: 50, code: 'kg' } }];
    expect(errors(r)).toContainEqual(expect.objectContaining({ key: 'qty-3' }));
  });
});

describe('references and Bundles', () => {
  it('reference format and target type', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.subject.reference = 'not a reference';
    expect(has(errors(r), 'value', 'Observation.subject.reference')).toBe(true);
    r.subject.reference = 'Practitioner/123';
    expect(has(errors(r), 'structure', 'Observation.subject.reference')).toBe(true);
    r.subject.reference = 'Banana/123';
    expect(has(errors(r), 'value', 'Observation.subject.reference')).toBe(true);
  });
  it('a local reference needs its contained resource (ref-1)', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.performer = [{ reference: '#someone' }];
    expect(errors(r)).toContainEqual(expect.objectContaining({ key: 'ref-1' }));
  });
  it('Bundle entries are validated against the MES canonical they claim', () => {
    const r = example('Bundle-ExampleFeedingBundle.json');
    r.entry[0].resource.valueQuantity.code = 'lb';
    expect(has(errors(r), 'value', 'Bundle.entry[0].resource.valueQuantity.code')).toBe(true);
  });
  it('the feeding Bundle rules: device link by id', () => {
    const r = example('Bundle-ExampleFeedingBundle.json');
    r.entry[0].resource.device.reference = 'Device/other';
    expect(errors(r, FEEDING).map((i) => i.key)).toContain('mes-fb-device-link');
  });
  it("a RESTful fullUrl names the entry's resource", () => {
    const r = example('Bundle-ExampleSearchResult.json');
    expect(errors(r)).toEqual([]);
    r.entry[0].fullUrl = 'https://api-mesures.example/fhir/Observation/another-id';
    expect(has(errors(r), 'invalid', 'Bundle.entry[0].fullUrl')).toBe(true);
  });

  it('a meta.profile claim that is not loaded is a warning', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    r.meta.profile.push('https://example.org/StructureDefinition/unknown');
    expect(issues(r)).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'not-found' }));
  });
  it('an MES canonical given as --profile resolves to our profile', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    delete r.meta;
    const found = errors(r, 'https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/mes-observation-bodyweight');
    expect(found.some((i) => i.location === 'Observation.meta')).toBe(true);
  });
});

describe('never throws', () => {
  const hostile: unknown[] = [
    null,
    undefined,
    0,
    'Observation',
    [],
    [{ resourceType: 'Observation' }],
    {},
    { resourceType: 42 },
    { resourceType: '__proto__' },
    JSON.parse('{"resourceType":"Observation","__proto__":{"status":"final"},"constructor":{"x":1}}'),
    { resourceType: 'Observation', status: 'x'.repeat(2_000_000) },
    { resourceType: 'Observation', extension: Array.from({ length: 1 }, () => nest(200)) },
    nestBundle(30),
  ];
  function nest(depth: number): Record<string, unknown> {
    let e: Record<string, unknown> = { url: 'https://example.org/e', valueString: 'x' };
    for (let i = 0; i < depth; i++) e = { url: 'https://example.org/e', extension: [e] };
    return e;
  }
  function nestBundle(depth: number): Record<string, unknown> {
    let b: Record<string, unknown> = { resourceType: 'Bundle', type: 'collection' };
    for (let i = 0; i < depth; i++) b = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: b }] };
    return b;
  }
  it("does not grow with the type names an input makes up (resourceType, a reference's type)", () => {
    const v = new Validator(validator.index);
    const remembered = () => {
      const plans = (v as unknown as { plans: { baseTypes: Map<string, unknown>; ancestors: Map<string, unknown> } }).plans;
      return plans.baseTypes.size + plans.ancestors.size;
    };
    const made = (i: number) => ({ ...example('Observation-ExampleBodyWeight.json'), subject: { reference: `Made${i}up/x` } });
    for (let i = 0; i < 50; i++) v.validate(made(i));
    const before = remembered();
    for (let i = 50; i < 1050; i++) {
      v.validate({ resourceType: `Made${i}up` });
      v.validate(made(i));
    }
    expect(remembered()).toBe(before);
    expect(has(v.validateToIssues({ resourceType: 'Madeup' }), 'structure', 'Madeup')).toBe(true);
  });
  it.each(hostile.map((h, i) => [i, h] as const))('hostile input #%i gets an OperationOutcome', (_i, input) => {
    const outcome = validator.validate(input);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.some((i) => i.code === 'processing' && i.severity === 'fatal')).toBe(false);
  });

  it('10,000 generated inputs (fast-check) never throw and always give an outcome', () => {
    const weight = example('Observation-ExampleBodyWeight.json');
    const paths = ['status', 'code', 'subject', 'valueQuantity', 'meta', 'category', 'effectiveDateTime', 'extension', 'component', 'resourceType'];
    const mutated = fc.record({ key: fc.constantFrom(...paths), value: fc.jsonValue() }).map(({ key, value }) => ({ ...clone(weight), [key]: value }));
    const arbitrary = fc.oneof(
      fc.anything(),
      fc.jsonValue(),
      mutated,
      fc.record({ resourceType: fc.constantFrom('Observation', 'Bundle', 'Device', 'Patient'), id: fc.string() }, { requiredKeys: [] }),
    );
    let count = 0;
    fc.assert(
      fc.property(arbitrary, (input) => {
        count++;
        const outcome = validator.validate(input);
        return outcome.resourceType === 'OperationOutcome' && outcome.issue.length > 0 && !outcome.issue.some((i) => i.severity === 'fatal');
      }),
      { numRuns: 10_000, seed: 20261124 },
    );
    expect(count).toBe(10_000);
  });
});

describe('outcome', () => {
  it('lists issues in document order', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    const reordered = { resourceType: 'Observation', poids: 1, ...r, effectiveDateTime: 'hier', valueQuantity: { ...r.valueQuantity, code: 'g' } };
    delete (reordered as Record<string, unknown>).status;
    // property order of this input: poids, …, valueQuantity, subject, effectiveDateTime
    const locations = errors(reordered).map((i) => i.location);
    const at = (l: string) => locations.indexOf(l);
    expect(at('Observation.poids')).toBeGreaterThanOrEqual(0);
    expect(at('Observation.poids')).toBeLessThan(at('Observation.valueQuantity.code'));
    expect(at('Observation.valueQuantity.code')).toBeLessThan(at('Observation.effectiveDateTime'));
    // vs-1 (FHIRPath location Observation.effective) sits with effectiveDateTime
    expect(at('Observation.effective')).toBeGreaterThan(at('Observation.valueQuantity.code'));
  });

  it('puts a long list of issues in document order too', () => {
    const r: Record<string, unknown> = { ...example('Observation-ExampleBodyWeight.json') };
    delete r.status;
    // 40 unknown names after the resource's own: found in this order, then the missing status and dom-6 (on the resource itself)
    for (let i = 0; i < 40; i++) r[`inconnu${String(i).padStart(2, '0')}`] = i;
    const issues = validator.validateToIssues(r);
    expect(issues.length).toBeGreaterThan(32);
    const unknown = issues.filter((i) => i.message.startsWith('unknown property'));
    expect(unknown.map((i) => i.location)).toEqual(Array.from({ length: 40 }, (_, i) => `Observation.inconnu${String(i).padStart(2, '0')}`));
    // issues on the resource itself, or on what it lacks, come before those inside it, in the order found
    const firstInside = issues.findIndex((i) => i.location.startsWith('Observation.inconnu'));
    const before = issues.slice(0, firstInside).map((i) => i.location);
    expect(before).toEqual(expect.arrayContaining(['Observation.status', 'Observation']));
    expect(before.indexOf('Observation.status')).toBeLessThan(before.indexOf('Observation'));
  });

  it('keeps the issues found at one place in the order they were found, after those of the element around it', () => {
    const r = example('Observation-ExampleBodyWeight.json');
    const issues = validator.validateToIssues({ ...r, valueQuantity: { ...r.valueQuantity, code: 'lb' } });
    // the dom-6 warning (on the resource, found last) first, then the Quantity's pattern, then its code: fixed value, binding, as the walk checks them
    // (UCUM is not asked of a code another rule has refused)
    const code = issues.filter((i) => i.location === 'Observation.valueQuantity.code').map((i) => i.message);
    expect(code).toHaveLength(2);
    expect(code[0]).toMatch(/^value must be exactly "kg"/);
    expect(code[1]).toMatch(/is not in the required value set/);
    const pattern = issues.findIndex((i) => i.location === 'Observation.valueQuantity');
    expect(pattern).toBeGreaterThan(0);
    expect(issues.findIndex((i) => i.location === 'Observation.valueQuantity.code')).toBe(pattern + 1);
    expect(issues[0]!.location).toBe('Observation');
  });

  it('renders an OperationOutcome with issue codes, expressions, details, diagnostics and message ids', () => {
    const outcome = validator.validate({ ...example('Observation-ExampleBodyWeight.json'), status: 'done' });
    expect(isValid(outcome)).toBe(false);
    const text = expect.stringContaining('"done" is not in the required value set');
    expect(outcome.issue).toContainEqual({
      severity: 'error',
      code: 'code-invalid',
      details: { text },
      diagnostics: text,
      expression: ['Observation.status'],
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id', valueString: 'code-not-in-required-value-set' }],
    });
    const ok = validator.validate(example('Observation-ExampleBodyHeight.json'));
    expect(isValid(ok)).toBe(true);
  });
});

describe('extension contexts', () => {
  const birthTime = { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1980-05-02T10:00:00+02:00' };
  it('accepts an extension in its context, on a primitive (Patient.birthDate)', () => {
    expect(errors({ resourceType: 'Patient', birthDate: '1980-05-02', _birthDate: { extension: [birthTime] } })).toEqual([]);
  });
  it('refuses it elsewhere (Patient.name)', () => {
    expect(has(errors({ resourceType: 'Patient', name: [{ family: 'Dupont', extension: [birthTime] }] }), 'structure', 'Patient.name[0].extension[0]')).toBe(
      true,
    );
  });
});

describe('values found clean are not walked again (CleanValue): verdicts unchanged', () => {
  const weight = () => example('Observation-ExampleBodyWeight.json');
  it('a value changed in place after it was found clean is checked again', () => {
    const r = weight();
    expect(errors(r)).toEqual([]);
    r.code.coding[0].code = '29463-8';
    r.category[0].coding[0].poids = 1;
    const found = errors(r);
    expect(has(found, 'structure', 'Observation.category[0].coding[0].poids')).toBe(true);
    expect(found.some((i) => i.location.startsWith('Observation.code'))).toBe(true);
  });

  it('one validator over a stream of repeated and changed blocks gives, resource by resource, what a fresh validator gives', () => {
    // Blocks that repeat (as in a device's feed) and their faulty or context-dependent variants:
    // a reference inside an extension, nulls, unknown names, wrong codes, a Bundle-dependent reference.
    const base = weight();
    type Variant = (r: Record<string, any>) => void;
    // The same value, clean in one resource and not in the other: its verdict is not the value's alone.
    const pairs: Array<[Variant, Variant]> = [
      // a reference resolved in one resource, not in the other
      [
        (r) => {
          r.contained = [{ resourceType: 'Device', id: 'd1', status: 'active' }];
          r.device = { reference: '#d1' };
        },
        (r) => (r.device = { reference: '#d1' }),
      ],
      // a primitive array with a null item, carried by its `_profile` companion in one resource, not in the other
      [
        (r) => {
          r.meta.profile = [r.meta.profile[0], null];
          r.meta._profile = [null, { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] }];
        },
        (r) => (r.meta.profile = [r.meta.profile[0], null]),
      ],
    ];
    const variants: Variant[] = [
      ...pairs.flat(),
      () => {},
      (r) => (r.code.coding[0].code = '29463-8'),
      (r) => (r.code.coding[0].display = ' Body weight'),
      (r) => (r.category[0].coding[0].code = 'laboratory'),
      (r) => (r.category = [r.category[0], r.category[0]]),
      (r) => r.category[0].coding.push(null),
      (r) => (r.valueQuantity = { ...r.valueQuantity, code: 'lb' }),
      (r) => (r.subject = { reference: 'Patient/p1' }),
      (r) => (r.subject = { reference: '#p1' }),
      (r) =>
        (r.extension = [{ url: 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement', valueString: 'Suivi' }]),
      (r) =>
        (r.extension = [
          { url: 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement', valueReference: { reference: '#x' } },
        ]),
      (r) => (r.code.extension = [{ url: 'http://example.org/unknown', valueString: 'x' }]),
      (r) => (r.status = 'done'),
      (r) => (r.status = ['final']),
    ];
    let seed = 7;
    const next = () => Math.floor(((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * variants.length);
    // Each context-dependent pair back to back, first (before the places that hold them stop keeping
    // values that seldom repeat): the clean one, then the one the same value does not make clean. A new
    // meta.versionId each, so that the enclosing meta is walked rather than found equal to one found clean.
    const stream: Array<Record<string, any>> = [];
    for (const pair of pairs) {
      for (const variant of pair) {
        const r = clone(base);
        r.meta.versionId = `v${stream.length}`;
        variant(r);
        stream.push(r);
      }
    }
    for (let i = 0; i < 90; i++) {
      const r = clone(base);
      r.id = `s-${i}`;
      variants[next()]!(r);
      if (i % 4 === 0) variants[next()]!(r);
      stream.push(r);
    }
    const long = new Validator(validator.index);
    let valid = 0;
    for (const r of stream) {
      const expected = new Validator(validator.index).validateToIssues(clone(r));
      expect(long.validateToIssues(r), JSON.stringify(r)).toEqual(expected);
      if (!expected.some((i) => i.severity === 'error')) valid++;
    }
    expect(valid).toBeGreaterThan(10);
    expect(valid).toBeLessThan(80);
  }, 120_000);
});
