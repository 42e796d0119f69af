import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '../validator.js';
import { profile, TEST_BASE, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([
    profile('RuledPatient', 'Patient', [
      {
        id: 'Patient',
        constraint: [
          { key: 'test-name', severity: 'error', human: 'Un nom est requis', expression: 'name.exists()' },
          { key: 'test-gender', severity: 'warning', human: 'Le genre est conseillé', expression: 'gender.exists()' },
        ],
      },
      { id: 'Patient.name', constraint: [{ key: 'test-family', severity: 'error', human: 'Le nom de famille est requis', expression: 'family.exists()' }] },
    ]),
    profile('RootedPatient', 'Patient', [
      {
        id: 'Patient',
        constraint: [
          // what each sees: %resource the Patient, %rootResource its container when contained, else itself
          { key: 'test-resource', severity: 'error', human: '%resource est le patient', expression: "%resource.resourceType = 'Patient'" },
          {
            key: 'test-root',
            severity: 'error',
            human: '%rootResource est le conteneur',
            expression: "%rootResource.resourceType = iif(%resource.id = 'contained', 'Observation', 'Patient')",
          },
        ],
      },
    ]),
  ]);
});

const check = (resource: unknown) =>
  validator
    .validateToIssues(resource, { profile: `${TEST_BASE}RuledPatient` })
    .filter((i) => i.key?.startsWith('test-'))
    .map((i) => `${i.id}:${i.key}:${i.severity}@${i.location}`);

describe('invariants', () => {
  it('accepts a resource that meets every constraint', () => {
    expect(check({ resourceType: 'Patient', gender: 'female', name: [{ family: 'Martin' }] })).toEqual([]);
  });
  it('reports each failed constraint with its key, its severity and the element it sits on', () => {
    expect(check({ resourceType: 'Patient' })).toEqual(['invariant-failed:test-name:error@Patient', 'invariant-failed:test-gender:warning@Patient']);
    expect(check({ resourceType: 'Patient', gender: 'male', name: [{ family: 'Martin' }, { given: ['Léa'] }] })).toEqual([
      'invariant-failed:test-family:error@Patient.name[1]',
    ]);
  });
  it('asks a narrative (dom-6) of a resource and of a Bundle entry, never of a contained resource', () => {
    const dom6 = (resource: unknown) =>
      validator
        .validateToIssues(resource)
        .filter((i) => i.key === 'dom-6')
        .map((i) => i.location);
    const div = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Léa Martin</p></div>' };
    const contained = { resourceType: 'Organization', id: 'org', name: 'Cabinet' };
    expect(dom6({ resourceType: 'Patient', contained: [contained], managingOrganization: { reference: '#org' } })).toEqual(['Patient']);
    expect(dom6({ resourceType: 'Patient', text: div, contained: [contained], managingOrganization: { reference: '#org' } })).toEqual([]);
    expect(
      dom6({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ fullUrl: 'urn:uuid:5e1c1d3e-7a64-4d3b-9a8e-1f2a3b4c5d6e', resource: { resourceType: 'Patient' } }],
      }),
    ).toEqual(['Bundle.entry[0].resource']);
  });
  it('says which constraint failed, in its own words', () => {
    const issue = validator
      .validateToIssues({ resourceType: 'Patient', gender: 'male' }, { profile: `${TEST_BASE}RuledPatient` })
      .find((i) => i.key === 'test-name');
    expect(issue?.message).toBe('test-name: Un nom est requis');
  });
  it('%resource is the resource, %rootResource its container when contained, else the resource itself (a Bundle entry too)', () => {
    const patient = (id: string) => ({ resourceType: 'Patient', id, meta: { profile: [`${TEST_BASE}RootedPatient`] } });
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      contained: [patient('contained')],
      subject: { reference: '#contained' },
    };
    const rooted = (resource: unknown) =>
      validator
        .validateToIssues(resource)
        .filter((i) => i.key === 'test-root' || i.key === 'test-resource')
        .map((i) => `${i.key}@${i.location}`);
    expect(rooted(patient('alone'))).toEqual([]);
    expect(rooted(observation)).toEqual([]);
    // inside a Bundle, neither the entry nor the resource it contains has the Bundle as root
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: 'http://example.org/fhir/Patient/alone', resource: patient('alone') },
        { fullUrl: 'http://example.org/fhir/Observation/o1', resource: { ...observation, id: 'o1' } },
      ],
    };
    expect(rooted(bundle)).toEqual([]);
    // and the constraint can fail: a contained Patient whose id says it stands alone
    expect(rooted({ ...observation, contained: [patient('alone')], subject: { reference: '#alone' } })).toEqual(['test-root@Observation.contained[0]']);
  });
  it("applies an ImplementationGuide's global profiles to every resource of their type", async () => {
    const withGuide = await validatorWith([
      profile('GlobalPatient', 'Patient', [
        { id: 'Patient', constraint: [{ key: 'test-global', severity: 'error', human: 'Un nom est requis', expression: 'name.exists()' }] },
      ]),
      {
        resourceType: 'ImplementationGuide',
        url: 'https://mes-fhir.test/ImplementationGuide/test',
        name: 'Test',
        status: 'draft',
        packageId: 'mes-fhir.test',
        fhirVersion: ['4.0.1'],
        global: [{ type: 'Patient', profile: `${TEST_BASE}GlobalPatient` }],
      },
    ]);
    const keys = (resource: unknown) =>
      withGuide
        .validateToIssues(resource)
        .filter((i) => i.key === 'test-global')
        .map((i) => i.location);
    expect(keys({ resourceType: 'Patient' })).toEqual(['Patient']);
    expect(keys({ resourceType: 'Patient', name: [{ family: 'Martin' }] })).toEqual([]);
    // in a Bundle too, and only on its type
    expect(
      keys({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient' } }, { resource: { resourceType: 'Practitioner' } }] }),
    ).toEqual(['Bundle.entry[0].resource']);
    // the guides of the dependencies are not applied: the same definitions, the guide's layer not ours
    const asDependency = new Validator(withGuide.index, ['generated']);
    expect(asDependency.validateToIssues({ resourceType: 'Patient' }).filter((i) => i.key === 'test-global')).toEqual([]);
  });
});
