/**
 * FHIR XML (@mes-fhir/xml): JSON → XML → JSON is lossless on every example of generated/ and of
 * the project's FHIR packages and on their conformance resources; XML written by hand reads as
 * the FHIR mapping says; the validator and the CLI read XML; hostile XML never throws. And why
 * the `fhir` package (FHIR.js) is not the converter: its round trip loses R4 content.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fhirJs from 'fhir';
import { indexFolders, projectLayers, type InstallResult } from '@mes-fhir/fhir-packages';
import { StructureModel } from '@mes-fhir/profile-model';
import { Validator } from '@mes-fhir/validator';
import { FhirXml } from '@mes-fhir/xml';
import { REPO_ROOT, loadRepoIndex, runCli } from './helpers/repo.js';

const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
let packages: InstallResult;
let xml: FhirXml;
let validator: Validator;
const scratch = mkdtempSync(join(tmpdir(), 'mes-xml-test-'));

beforeAll(async () => {
  ({ packages } = await loadRepoIndex());
  const index = indexFolders(projectLayers(packages, GENERATED));
  xml = new FhirXml(new StructureModel(index));
  validator = new Validator(index);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const jsonFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json') && !f.startsWith('.') && f !== 'package.json' && f !== 'manifest.json')
        .map((f) => join(dir, f))
    : [];

describe('JSON → XML → JSON', () => {
  it('is lossless on every example and conformance resource of ours and of the packages (R4 core aside: its 4,000 resources are for the benchmark of time, not of fidelity)', () => {
    const files = [
      ...jsonFiles(GENERATED),
      ...jsonFiles(join(GENERATED, 'example')),
      ...packages.packages
        .filter((p) => p.name !== 'hl7.fhir.r4.core' && p.name !== 'hl7.fhir.uv.extensions.r4')
        .flatMap((p) => [...jsonFiles(p.dir), ...jsonFiles(join(p.dir, 'example'))]),
    ];
    const lossy: string[] = [];
    for (const file of files) {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof json.resourceType !== 'string') continue;
      const back = xml.fromXml(xml.toXml(json));
      if (!back.ok) lossy.push(`${file}: ${back.error}`);
      else if (JSON.stringify(sortKeys(back.resource)) !== JSON.stringify(sortKeys(json))) lossy.push(file);
    }
    expect(lossy).toEqual([]);
    expect(files.length).toBeGreaterThan(1000);
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

describe('XML → JSON', () => {
  it('reads XML written by hand as the FHIR mapping says', () => {
    const read = xml.fromXml(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'xml', 'Patient-hand-written.xml'), 'utf8'));
    expect(read.ok).toBe(true);
    const p = (read as { resource: Record<string, any> }).resource;
    expect(p).toMatchObject({
      resourceType: 'Patient',
      id: 'p1',
      active: true,
      multipleBirthInteger: 2,
      birthDate: '1980-05-17',
      contained: [{ resourceType: 'Organization', id: 'org', name: 'Cabinet & Co' }],
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Lyon' } }],
      name: [
        {
          family: 'Martin',
          given: ['Alice', null],
          _given: [null, { id: 'g2', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] }],
        },
      ],
      managingOrganization: { reference: '#org' },
    });
    expect(p.text.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>Alice <b>Martin</b></p><div>née en 1980</div></div>');
    expect(validator.validate(p).issue.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('refuses what is not FHIR XML, with a reason, and never throws', () => {
    expect(xml.fromXml('<Patient><id value="x"/></Patient>')).toEqual({
      ok: false,
      error: 'the resource is not in the FHIR namespace (xmlns="http://hl7.org/fhir")',
    });
    expect(xml.fromXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><Patient xmlns="http://hl7.org/fhir"/>')).toEqual({
      ok: false,
      error: 'DOCTYPE declarations are not allowed in FHIR XML',
    });
    expect(xml.fromXml('{"resourceType": "Patient"}').ok).toBe(false);
    const deep = `<Patient xmlns="http://hl7.org/fhir">${'<extension url="u">'.repeat(200)}${'</extension>'.repeat(200)}</Patient>`;
    expect(xml.fromXml(deep).ok).toBe(false);
    const valid = xml.toXml(JSON.parse(readFileSync(join(GENERATED, 'example', 'Bundle-ExampleFeedingBundle.json'), 'utf8')));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .nat(valid.length)
            .chain((cut) => fc.tuple(fc.constant(cut), fc.string()))
            .map(([cut, s]) => valid.slice(0, cut) + s + valid.slice(cut + s.length)),
        ),
        (text) => {
          const outcome = validator.validateXml(text);
          expect(outcome.resourceType).toBe('OperationOutcome');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the validator the same locations as JSON', () => {
    const weight = JSON.parse(readFileSync(join(GENERATED, 'example', 'Observation-ExampleBodyWeight.json'), 'utf8'));
    weight.valueQuantity.code = 'lb';
    const fromJson = validator.validate(weight).issue.map((i) => `${i.severity} ${i.expression?.[0]} ${i.details.text}`);
    const fromXml = validator.validateXml(xml.toXml(weight)).issue.map((i) => `${i.severity} ${i.expression?.[0]} ${i.details.text}`);
    expect(fromXml).toEqual(fromJson);
    expect(fromXml.join('\n')).toContain('Observation.valueQuantity.code');
  });
});

describe('the fhir package (FHIR.js) as a converter', () => {
  it('loses R4 content on our examples (decimals become strings), so @mes-fhir/xml converts instead', () => {
    const converter = new fhirJs.Fhir();
    const weight = JSON.parse(readFileSync(join(GENERATED, 'example', 'Observation-ExampleBodyWeight.json'), 'utf8'));
    const back = converter.xmlToObj(converter.objToXml(structuredClone(weight))) as unknown as { valueQuantity: { value: unknown } };
    expect(back.valueQuantity.value).toBe(String(weight.valueQuantity.value));
    const ours = xml.fromXml(xml.toXml(weight));
    expect(ours.ok && (ours.resource.valueQuantity as { value: unknown }).value).toBe(weight.valueQuantity.value);
  });
});

describe('mes-fhir convert and validate on XML', () => {
  it('converts JSON to XML and back, and validates the XML file', async () => {
    const source = join(GENERATED, 'example', 'Appointment-ExampleAppointmentCabinet.json');
    const xmlFile = join(scratch, 'appointment.xml');
    const toXml = await runCli(['convert', source, '--out', xmlFile]);
    expect(toXml.code, toXml.stderr).toBe(0);
    expect(readFileSync(xmlFile, 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Appointment xmlns="http:\/\/hl7.org\/fhir">/);
    const back = await runCli(['convert', xmlFile]);
    expect(back.code).toBe(0);
    expect(sortKeys(JSON.parse(back.stdout))).toEqual(sortKeys(JSON.parse(readFileSync(source, 'utf8'))));
    const checked = await runCli(['validate', xmlFile, '--profile', 'https://mes-fhir.org/fhir/StructureDefinition/mes-appointment']);
    expect(checked.code, checked.stdout).toBe(0);
    writeFileSync(join(scratch, 'broken.xml'), readFileSync(xmlFile, 'utf8').replace('<status value="booked"/>', '<status value="done"/>'));
    const broken = await runCli(['validate', join(scratch, 'broken.xml')]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/error +Appointment\.status/);
    const notXml = await runCli(['convert', join(scratch, 'broken.xml'), '--to', 'yaml']);
    expect(notXml.code).toBe(2);
  });
});
