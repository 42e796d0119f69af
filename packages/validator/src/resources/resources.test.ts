/** The rules of resource types beyond their definitions: one describe per `resources/<type>.ts`. */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { found, validatorWith } from '../rules/rule-harness.test-support.js';
import type { Validator } from '../validator.js';
import { resourceRuleOf } from './index.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([]);
});

const ids = (resource: unknown, prefix: string) => found(validator.validateToIssues(resource)).filter((i) => i.startsWith(prefix));

describe('the registry', () => {
  it('has a rule for each resource type with rules of its own, and none for others', () => {
    for (const type of ['Bundle', 'Parameters', 'SearchParameter', 'CapabilityStatement', 'DocumentReference', 'StructureDefinition'])
      expect(resourceRuleOf(type), type).toBeDefined();
    expect(resourceRuleOf('Patient')).toBeUndefined();
  });
});

describe('Bundle', () => {
  const entry = (fullUrl: string, id: string) => ({ fullUrl, resource: { resourceType: 'Patient', id } });
  it('a RESTful fullUrl names its resource', () => {
    const bundle = (fullUrl: string) => ({ resourceType: 'Bundle', type: 'collection', entry: [entry(fullUrl, 'p1')] });
    expect(ids(bundle('http://example.org/fhir/Patient/p1'), 'bundle-')).toEqual([]);
    expect(ids(bundle('http://example.org/fhir/Patient/p2'), 'bundle-')).toEqual(['bundle-full-url-mismatch@Bundle.entry[0].fullUrl']);
  });
  it('two entries without fullUrl may not hold the same type and id, but in a history', () => {
    const bundle = (type: string, entries: unknown[]) => ({ resourceType: 'Bundle', type, entry: entries });
    const noUrls = [{ resource: { resourceType: 'Patient', id: 'p1' } }, { resource: { resourceType: 'Patient', id: 'p1' } }];
    expect(ids(bundle('collection', noUrls), 'bundle-')).toEqual(['bundle-duplicate-resource@Bundle.entry[1].resource.id']);
    expect(ids(bundle('history', noUrls), 'bundle-')).toEqual([]);
    // one fullUrl twice is bdl-7's (an invariant of the definition), not repeated here
    const same = [entry('urn:uuid:0f1e2d3c-4b5a-4968-8776-655443322110', 'p1'), entry('urn:uuid:0f1e2d3c-4b5a-4968-8776-655443322110', 'p1')];
    expect(ids(bundle('collection', same), 'bundle-')).toEqual([]);
    // two fullUrls are two resources, whatever their ids (as the HL7 validator reads them)
    const twoUrls = [entry('urn:uuid:0f1e2d3c-4b5a-4968-8776-655443322110', 'p1'), entry('urn:uuid:1f1e2d3c-4b5a-4968-8776-655443322110', 'p1')];
    expect(ids(bundle('collection', twoUrls), 'bundle-')).toEqual([]);
  });
  it('a fullUrl is absolute; a link relation occurs once', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [entry('Patient/p1', 'p1')], link: [{ relation: 'self', url: 'http://x.org/a' }] };
    expect(ids(bundle, 'bundle-')).toEqual(['bundle-full-url-relative@Bundle.entry[0].fullUrl']);
    const links = { ...bundle, entry: [], link: [...bundle.link, { relation: 'self', url: 'http://x.org/b' }, { relation: 'next', url: 'http://x.org/c' }] };
    expect(ids(links, 'bundle-')).toEqual(['bundle-link-repeated@Bundle.link[1].relation']);
  });
  it('a searchset: a match has an id and the type searched; an OperationOutcome is an outcome', () => {
    const searchset = (entries: unknown[]) => ({
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'self', url: 'http://x.org/fhir/Patient?name=martin' }],
      entry: entries,
    });
    const match = (resource: Record<string, unknown>, mode = 'match') => ({
      fullUrl: `http://x.org/fhir/${resource.resourceType}/${resource.id ?? 'n'}`,
      resource,
      search: { mode },
    });
    expect(ids(searchset([match({ resourceType: 'Patient', id: 'p1' }), match({ resourceType: 'Organization', id: 'o1' }, 'include')]), 'bundle-')).toEqual([]);
    expect(ids(searchset([match({ resourceType: 'Observation', id: 'o1' })]), 'bundle-')).toEqual(['bundle-searchset-match-type@Bundle.entry[0].resource']);
    expect(ids(searchset([{ resource: { resourceType: 'Patient' }, search: { mode: 'match' } }]), 'bundle-')).toEqual([
      'bundle-searchset-match-id@Bundle.entry[0].resource',
    ]);
    const outcome = { resourceType: 'OperationOutcome', id: 'oo', issue: [{ severity: 'warning', code: 'informational' }] };
    expect(ids(searchset([match(outcome, 'outcome')]), 'bundle-')).toEqual([]);
    expect(ids(searchset([match(outcome)]), 'bundle-')).toEqual(['bundle-searchset-outcome-mode@Bundle.entry[0].search.mode']);
  });
});

describe('SearchParameter', () => {
  const searchParameter = (more: Record<string, unknown>) => ({
    resourceType: 'SearchParameter',
    url: 'https://mes-fhir.test/SearchParameter/nom',
    name: 'nom',
    status: 'draft',
    description: 'Nom du patient',
    code: 'nom',
    base: ['Patient'],
    type: 'string',
    expression: 'Patient.name',
    ...more,
  });
  it("a derived parameter that keeps its parent's type and bases is accepted", () => {
    expect(
      ids(searchParameter({ derivedFrom: 'http://hl7.org/fhir/SearchParameter/individual-family', expression: 'Patient.name.family' }), 'search-'),
    ).toEqual([]);
  });
  it("its expression parses; its parent exists; its type is its parent's", () => {
    expect(ids(searchParameter({ expression: 'Patient.name.where(' }), 'search-')).toEqual(['search-expression-invalid@SearchParameter.expression']);
    expect(ids(searchParameter({ derivedFrom: 'https://mes-fhir.test/SearchParameter/absent' }), 'search-')).toEqual([
      'search-parent-not-found@SearchParameter.derivedFrom',
    ]);
    expect(
      ids(
        searchParameter({ derivedFrom: 'http://hl7.org/fhir/SearchParameter/individual-family', type: 'token', expression: 'Patient.name.family' }),
        'search-',
      ),
    ).toEqual(['search-type-differs@SearchParameter.type']);
  });
});

describe('CapabilityStatement', () => {
  const statement = (type: string) => ({
    resourceType: 'CapabilityStatement',
    status: 'draft',
    date: '2026-12-03',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    implementation: { description: 'bac à sable' },
    rest: [
      {
        mode: 'server',
        resource: [{ type: 'Patient', searchParam: [{ name: 'family', definition: 'http://hl7.org/fhir/SearchParameter/individual-family', type }] }],
      },
    ],
  });
  it('a search parameter has the type of its definition', () => {
    expect(ids(statement('string'), 'capability-')).toEqual([]);
    expect(ids(statement('token'), 'capability-')).toEqual(['capability-search-type@CapabilityStatement.rest[0].resource[0].searchParam[0].type']);
  });
});

describe('DocumentReference', () => {
  const text = 'compte rendu';
  const data = Buffer.from(text).toString('base64');
  const sha1 = createHash('sha1').update(text).digest('base64');
  const document = (hash: string) => ({
    resourceType: 'DocumentReference',
    status: 'current',
    content: [{ attachment: { contentType: 'text/plain', data, hash } }],
  });
  it('the hash is the SHA-1 of the document it carries', () => {
    expect(ids(document(sha1), 'document-')).toEqual([]);
    expect(ids(document(Buffer.from('autre').toString('base64')), 'document-')).toEqual(['document-hash@DocumentReference.content[0].attachment.hash']);
  });
});
