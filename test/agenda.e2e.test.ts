/** API Agenda end to end: profiles on GAP, examples, invalid fixtures, builders. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResourceIndex, indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { appointment, cancelAppointment, checkResource, profiles } from '@mes-fhir/profiles';
import { Validator } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex } from './helpers/repo.js';

const APPOINTMENT = 'https://mes-fhir.org/fhir/StructureDefinition/mes-appointment';
const SEARCHSET = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-appointment-searchset';
const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'agenda');
let validator: Validator;
let index: ResourceIndex;

beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  index = indexFolders(projectLayers(packages, GENERATED));
  validator = new Validator(index);
});

const errorsOf = (resource: unknown, profile: string) => validator.validateToIssues(resource, { profile }).filter((i) => i.severity === 'error');

describe('Agenda profiles', () => {
  it('chain to gap-fr-appointment, then fr-core-appointment, then R4 Appointment', () => {
    expect(index.baseChain(APPOINTMENT).slice(0, 4)).toEqual([
      APPOINTMENT,
      'https://interop.esante.gouv.fr/ig/fhir/gap/StructureDefinition/gap-fr-appointment',
      'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-appointment',
      'http://hl7.org/fhir/StructureDefinition/Appointment',
    ]);
    expect(profiles[APPOINTMENT]?.resourceType).toBe('Appointment');
    expect(profiles[SEARCHSET]?.resourceType).toBe('Bundle');
  });

  const examples = readdirSync(join(GENERATED, 'example')).filter((f) => f.includes('Appointment'));
  it.each(examples)('example %s passes schema, invariants and the validator', (file) => {
    const resource = JSON.parse(readFileSync(join(GENERATED, 'example', file), 'utf8'));
    const profile = resource.resourceType === 'Bundle' ? SEARCHSET : APPOINTMENT;
    expect(checkResource(resource, profile).issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(errorsOf(resource, profile)).toEqual([]);
  });
});

type Fixture = { description: string; resource: unknown; expect: Array<{ location?: string; key?: string; messageIncludes?: string }> };
const fixtures = readdirSync(FIXTURES).map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Fixture);

describe('invalid Agenda fixtures', () => {
  it('there are fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(8));
  it.each(fixtures.map((f) => [f.description, f] as const))('%s is rejected where expected', (_d, fixture) => {
    const found = errorsOf(fixture.resource, APPOINTMENT);
    for (const e of fixture.expect) {
      const match = found.some(
        (i) => (!e.location || i.location === e.location) && (!e.key || i.key === e.key) && (!e.messageIncludes || i.message.includes(e.messageIncludes)),
      );
      expect(match, `${JSON.stringify(e)} in ${JSON.stringify(found.map((i) => [i.location, i.key, i.message]))}`).toBe(true);
    }
    expect(checkResource(fixture.resource, APPOINTMENT).valid).toBe(false);
  });
});

describe('Agenda builders', () => {
  const facts = {
    patient: { oid: '2.999.1.2.3', idPe: 'IDPE-TEST' },
    practitioner: { rpps: '10001234567', name: 'Dr Claire Martin' },
    start: '2026-12-03T09:30:00+01:00',
    end: '2026-12-03T09:50:00+01:00',
    mode: 'teleconsultation' as const,
    reason: 'Suivi de la tension',
  };
  it('appointment() passes schema and validator, with and without a location', () => {
    const a = appointment(facts);
    expect(checkResource(a, APPOINTMENT).valid).toBe(true);
    expect(errorsOf(a, APPOINTMENT)).toEqual([]);
    const b = appointment({
      ...facts,
      mode: 'in-person',
      location: { name: 'Cabinet', address: { line: ['1 place Bellecour'], postalCode: '69002', city: 'Lyon' } },
    });
    expect(errorsOf(b, APPOINTMENT)).toEqual([]);
    expect(b.appointmentType.coding?.[0]?.code).toBe('AMB');
    // no warning either: a generated narrative (dom-6), which the contained Location does not need
    for (const r of [a, b, cancelAppointment(b, 'Empêchement')])
      expect(validator.validateToIssues(r, { profile: APPOINTMENT }).filter((i) => i.severity !== 'information')).toEqual([]);
    expect(b.text?.div).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml"><p>2026-12-03T09:30:00+01:00 – 2026-12-03T09:50:00+01:00 (ambulatory)</p><p>Dr Claire Martin (RPPS 10001234567)</p><p>Suivi de la tension</p><p>Cabinet</p></div>',
    );
  });
  it('cancelAppointment() keeps a valid appointment, now cancelled', () => {
    const c = cancelAppointment(appointment(facts), 'Empêchement');
    expect(c.status).toBe('cancelled');
    expect(errorsOf(c, APPOINTMENT)).toEqual([]);
  });
});
