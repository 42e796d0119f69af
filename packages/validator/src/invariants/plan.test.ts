import fc from 'fast-check';
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { describe, expect, it } from 'vitest';
import { compileFhirPath } from './fhirpath-compiler.js';
import { extensionHoldsExt1 } from './plan.js';
import { selectPlain } from './selection.test-support.js';

/** The R4 invariants every resource and extension carries (their published FHIRPath). */
const EVERYWHERE: Record<string, string> = {
  'ext-1': 'extension.exists() != value.exists()',
  'dom-2': 'contained.contained.empty()',
  'dom-4': 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
  'dom-5': 'contained.meta.security.empty()',
  'dom-6': 'text.`div`.exists()',
};
/** As the validator receives it: parsed JSON (fast-check may build objects without a prototype, which JSON never gives). */
const asParsed = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const fast = (key: string) => compileFhirPath(EVERYWHERE[key]!)!;

/** What the fhirpath library says of an expression on a node: the reference the compiled closure must equal. */
const byLibrary = (value: unknown, expression: string, type: string) => {
  const result = fhirpath.evaluate(value as object, { base: type, expression }, {}, r4Model) as unknown[];
  return result.length === 1 && result[0] === true;
};

const primitive = fc.oneof(fc.string({ maxLength: 3 }), fc.boolean(), fc.integer({ min: -5, max: 5 }), fc.constant(null));
const primitiveExtra = fc.record(
  { id: fc.string({ maxLength: 2 }), extension: fc.array(fc.record({ url: fc.constant('u'), valueString: fc.string({ maxLength: 2 }) }), { maxLength: 1 }) },
  { requiredKeys: [] },
);
/** One value[x] of an extension, or none: as apps write it, right and wrong (nulls, `_value` companions, empty objects). */
const extensionValue = fc.option(
  fc.oneof(
    fc.record({ valueString: primitive }),
    fc.record({ valueString: fc.string({ maxLength: 2 }), _valueString: primitiveExtra }),
    fc.record({ _valueString: primitiveExtra }),
    fc.record({ valueBoolean: fc.boolean() }),
    fc.record({ valueQuantity: fc.record({ value: fc.integer(), unit: fc.string({ maxLength: 2 }) }, { requiredKeys: [] }) }),
    fc.record({ valueCodeableConcept: fc.record({ text: fc.string({ maxLength: 2 }) }, { requiredKeys: [] }) }),
  ),
  { nil: {} },
);
/** Extensions with nested extensions; now and then two values at once (invalid JSON the library must judge). */
const extension: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  ext: fc
    .tuple(
      fc.constantFrom('http://example.org/a', 'b'),
      fc.option(fc.oneof(fc.constant([]), fc.array(tie('ext'), { maxLength: 2 })), { nil: undefined }),
      extensionValue,
      fc.oneof({ arbitrary: fc.constant({}), weight: 7 }, { arbitrary: extensionValue, weight: 1 }),
    )
    .map(([url, nested, value, second]) => ({ url, ...(nested === undefined ? {} : { extension: nested }), ...value, ...second })),
})).ext as fc.Arbitrary<Record<string, unknown>>;

const meta = fc.record(
  {
    versionId: primitive,
    _versionId: primitiveExtra,
    lastUpdated: fc.constantFrom('2026-01-01T00:00:00Z', null),
    _lastUpdated: primitiveExtra,
    security: fc.array(fc.record({ code: fc.constant('N') }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const containedResource = fc.record(
  {
    resourceType: fc.constantFrom('Patient', 'Organization'),
    id: fc.string({ maxLength: 2 }),
    meta,
    contained: fc.array(fc.record({ resourceType: fc.constant('Patient'), id: fc.constant('x') }), { maxLength: 1 }),
  },
  { requiredKeys: ['resourceType'] },
);
const domainResource = fc.record(
  {
    resourceType: fc.constant('Observation'),
    contained: fc.array(containedResource, { maxLength: 3 }),
    text: fc.record(
      {
        status: fc.constant('generated'),
        div: fc.oneof(fc.constant('<div xmlns="http://www.w3.org/1999/xhtml">x</div>'), fc.constant('')),
        _div: primitiveExtra,
      },
      { requiredKeys: [] },
    ),
    extension: fc.array(extension, { maxLength: 2 }),
    code: fc.record(
      { coding: fc.array(fc.record({ system: fc.constant('s'), extension: fc.array(extension, { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['resourceType'] },
);

describe('the invariants every resource carries: compiled closures give exactly the verdict of fhirpath', () => {
  it('ext-1 on generated extensions', () => {
    fc.assert(
      fc.property(extension.map(asParsed), (e) => {
        const verdict = fast('ext-1')(e, 'Extension', {});
        // undefined: the closure leaves this JSON to the library (nulls, `_value` companions)
        if (verdict !== undefined) expect(verdict).toBe(byLibrary(e, EVERYWHERE['ext-1']!, 'Extension'));
      }),
      { numRuns: 2000 },
    );
  });

  it("ext-1 as the walk checks it on every extension (closure, else the library): the library's verdict", () => {
    fc.assert(
      fc.property(extension.map(asParsed), (e) => {
        expect(extensionHoldsExt1(e)).toBe(byLibrary(e, EVERYWHERE['ext-1']!, 'Extension'));
      }),
      { numRuns: 2000 },
    );
  });

  it.each(['dom-2', 'dom-4', 'dom-5', 'dom-6'])('%s on generated resources', (key) => {
    fc.assert(
      fc.property(domainResource.map(asParsed), (r) => {
        const verdict = fast(key)(r, 'Observation', { resource: r, rootResource: r });
        if (verdict !== undefined) expect(verdict).toBe(byLibrary(r, EVERYWHERE[key]!, 'Observation'));
      }),
      { numRuns: 1000 },
    );
  });
});

it('decides on well-formed JSON (the library is the exception)', () => {
  const samples = fc.sample(extension.filter((e) => !JSON.stringify(e).includes('null')).map(asParsed), 500);
  const decidedShare = samples.filter((e) => fast('ext-1')(e, 'Extension', {}) !== undefined).length / samples.length;
  expect(decidedShare).toBeGreaterThan(0.3);
});

describe('selectPlain', () => {
  const paths = ['Observation.extension', 'Observation.code.coding.extension', 'Observation.code.coding', 'Observation.contained', 'Observation.text'];
  it('selects what fhirpath selects, at the same locations, or leaves it to the library', () => {
    let decided = 0;
    fc.assert(
      fc.property(domainResource, fc.constantFrom(...paths), (r, path) => {
        const plain = selectPlain(r, path);
        if (!plain) return; // the library will select (a choice, a primitive's extensions, a resource)
        decided++;
        const nodes = fhirpath.evaluate(r, path, {}, r4Model, { resolveInternalTypes: false }) as Array<{ fullPropertyName(): string; data: unknown }>;
        expect(plain).toEqual(nodes.map((n) => n.fullPropertyName()));
      }),
      { numRuns: 1000 },
    );
    // most generated resources are selected without the library
    expect(decided).toBeGreaterThan(300);
  });
});
