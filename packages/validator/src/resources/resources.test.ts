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
    for (const type of ['Bundle', 'SearchParameter', 'CapabilityStatement', 'DocumentReference']) expect(resourceRuleOf(type), type).toBeDefined();
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
  it('two entries may not hold the same resource, but in a history', () => {
    const bundle = (type: string) => ({
      resourceType: 'Bundle',
      type,
      entry: [entry('urn:uuid:0f1e2d3c-4b5a-4968-8776-655443322110', 'p1'), entry('urn:uuid:1f1e2d3c-4b5a-4968-8776-655443322110', 'p1')],
    });
    expect(ids(bundle('collection'), 'bundle-')).toEqual(['bundle-duplicate-resource@Bundle.entry[1].resource.id']);
    expect(ids(bundle('history'), 'bundle-')).toEqual([]);
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
