import fc from 'fast-check';
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { describe, expect, it } from 'vitest';
import { compileFhirPath } from './fhirpath-compiler.js';
import { planOf, runInvariants } from './plan.js';
import { selectPlain } from './selection.test-support.js';

/** What the fhirpath library says of an expression on a value: the reference the compiled closure must equal. */
function byLibrary(value: unknown, expression: string, type: string, env: Record<string, unknown>): boolean {
  const result = fhirpath.evaluate(value as object, { base: type, expression: expression.replace(/\.as\(/g, '.ofType(') }, env, r4Model, {
    traceFn: () => undefined,
  }) as unknown[];
  return result.length === 1 && result[0] === true;
}

/** As the validator receives it: parsed JSON (fast-check may build objects without a prototype, which JSON never gives). */
const asParsed = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const primitiveExtra = fc.record({ extension: fc.constant([{ url: 'u', valueString: 'x' }]) });
const dateTime = fc.constantFrom('2026', '2026-03', '2026-03-04', '2026-03-04T06:01:00+01:00', '2026-03-04T06:01:00Z', '2025-12-31T23:59:59Z');
const quantity = fc.record(
  {
    value: fc.oneof(fc.integer({ min: -3, max: 300 }), fc.double({ min: 0, max: 10, noNaN: true })),
    unit: fc.constantFrom('kg', 'cm'),
    system: fc.constantFrom('http://unitsofmeasure.org', 'urn:x'),
    code: fc.constantFrom('kg', 'cm', ''),
  },
  { requiredKeys: [] },
);
const period = fc.record({ start: dateTime, end: dateTime, _start: primitiveExtra }, { requiredKeys: [] });
const range = fc.record({ low: quantity, high: quantity }, { requiredKeys: [] });
const ratio = fc.record({ numerator: quantity, denominator: quantity, extension: fc.constant([{ url: 'u', valueString: 'r' }]) }, { requiredKeys: [] });
const coding = fc.record(
  { system: fc.constantFrom('http://loinc.org', 'urn:oid:1.2.250', 'urn:oid:vendor', 'x'), code: fc.constantFrom('29463-7', '8302-2', '') },
  { requiredKeys: [] },
);
const concept = fc.record({ coding: fc.array(coding, { maxLength: 2 }), text: fc.string({ maxLength: 3 }) }, { requiredKeys: [] });
/** One value[x] (or none), sometimes with the library-only `_` companion. */
const choiceValue = (stem: string) =>
  fc.oneof(
    fc.constant({}),
    quantity.map((v) => ({ [`${stem}Quantity`]: v })),
    fc.string({ maxLength: 3 }).map((v) => ({ [`${stem}String`]: v })),
    fc.boolean().map((v) => ({ [`${stem}Boolean`]: v })),
    dateTime.map((v) => ({ [`${stem}DateTime`]: v })),
    period.map((v) => ({ [`${stem}Period`]: v })),
    range.map((v) => ({ [`${stem}Range`]: v })),
    ratio.map((v) => ({ [`${stem}Ratio`]: v })),
    concept.map((v) => ({ [`${stem}CodeableConcept`]: v })),
    fc.constant({ [`_${stem}String`]: { extension: [{ url: 'u', valueString: 'x' }] } }),
  );
const component = fc
  .tuple(fc.record({ code: concept, dataAbsentReason: maybe(concept) }, { requiredKeys: ['code'] }), choiceValue('value'))
  .map(([c, v]) => ({ ...c, ...v }));
const observation = fc
  .tuple(
    fc.record(
      {
        status: fc.constantFrom('final', 'amended'),
        meta: fc.record({ source: fc.constantFrom('urn:oid:1.2.250.1', 'urn:oid:01.2', 'https://x', '') }, { requiredKeys: [] }),
        code: concept,
        subject: fc.record(
          {
            identifier: fc.record({ system: fc.constantFrom('urn:oid:1.2.250.1.213', 'http://x', ''), value: fc.constant('1') }, { requiredKeys: [] }),
            reference: fc.constantFrom('#p', 'Patient/1'),
          },
          { requiredKeys: [] },
        ),
        dataAbsentReason: concept,
        component: fc.array(component, { maxLength: 2 }),
        hasMember: fc.constant([{ reference: 'Observation/2' }]),
        referenceRange: fc.array(fc.record({ low: quantity, high: quantity, text: fc.constant('n') }, { requiredKeys: [] }), { maxLength: 2 }),
        contained: fc.array(fc.record({ resourceType: fc.constant('Patient'), id: fc.constantFrom('p', 'q') }), { maxLength: 2 }),
        text: fc.record({ status: fc.constant('generated'), div: fc.constant('<div xmlns="http://www.w3.org/1999/xhtml">x</div>') }),
      },
      { requiredKeys: [] },
    ),
    choiceValue('value'),
    choiceValue('effective'),
  )
  .map(([o, value, effective]) => ({ resourceType: 'Observation', ...o, ...value, ...effective }));

/** R4 and profile invariants (their published FHIRPath), with the type of the element they sit on. */
const ON_OBSERVATION = [
  'dataAbsentReason.empty() or value.empty()',
  'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
  '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())',
  "meta.source.empty() or meta.source.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')",
  "subject.identifier.system.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')",
  "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()",
  'component.where(value.exists() or dataAbsentReason.exists()).count() = component.count()',
  "status = 'final' or status != 'amended'",
  'value.ofType(Quantity).exists() xor value.ofType(string).exists() xor value.empty()',
  'effective is dateTime implies effective.toString().length() >= 10',
  'text.`div`.exists()',
  'component.all(value.exists() or dataAbsentReason.exists())',
  // qty-3 reached on every value[x], primitives included (they have no children without a `_` companion)
  'value.all(code.empty() or system.exists())',
  "code.coding.select(system & '|' & code).isDistinct()",
  "code.coding.system contains 'http://loinc.org'",
  "'final' in status",
  "subject.reference.exists() implies subject.reference.contains('Patient/')",
  "%resource.status = 'final' implies (('Device/' + subject.reference) != 'Device/#p')",
  'contained.where(id = %resource.subject.reference.substring(1)).exists() or subject.reference.empty()',
];
const ON_TYPES: Array<[string, string, fc.Arbitrary<unknown>]> = [
  ['Period', 'start.hasValue().not() or end.hasValue().not() or (start <= end)', period],
  ['Quantity', 'code.empty() or system.exists()', quantity],
  ['Range', 'low.empty() or high.empty() or (low <= high)', range],
  ['Ratio', '(numerator.empty() xor denominator.exists()) and (numerator.exists() or extension.exists())', ratio],
  ['Observation.component', 'value.exists() or dataAbsentReason.exists()', component],
  ['Quantity', 'value.empty() or value >= 0', quantity],
];

describe('compiled FHIRPath gives exactly the verdict of the fhirpath library', () => {
  it.each(ON_OBSERVATION)('%s on generated Observations', (expression) => {
    const fast = compileFhirPath(expression)!;
    expect(fast).toBeDefined();
    let decided = 0;
    fc.assert(
      fc.property(observation.map(asParsed), (o) => {
        const env = { resource: o, rootResource: o };
        const verdict = fast(o, 'Observation', env);
        if (verdict === undefined) return; // left to the library
        decided++;
        expect(verdict).toBe(byLibrary(o, expression, 'Observation', env));
      }),
      { numRuns: 600, seed: 20261125 },
    );
    // the closure decides most well-formed resources; the library is the exception
    expect(decided).toBeGreaterThan(150);
  });

  it.each(ON_TYPES)('on generated %s: %s', (type, expression, arbitrary) => {
    const fast = compileFhirPath(expression)!;
    let decided = 0;
    fc.assert(
      fc.property(arbitrary.map(asParsed), (value) => {
        const verdict = fast(value, type, {});
        if (verdict === undefined) return;
        decided++;
        expect(verdict).toBe(byLibrary(value, expression, type, {}));
      }),
      { numRuns: 600, seed: 20261125 },
    );
    // Periods with both bounds compare dates, which is left to the library
    expect(decided).toBeGreaterThan(30);
  });

  it('leaves syntax it does not compile to the library', () => {
    expect(compileFhirPath('Observation.code.where(')).toBeUndefined();
  });
});

describe('selectPlain across choices', () => {
  const paths = [
    'Observation.effective',
    'Observation.value.ofType(Quantity)',
    'Observation.component.value.ofType(Period)',
    'Observation.referenceRange.low',
    'Observation.effective.ofType(Period)',
  ];
  it('selects what fhirpath selects, at the same locations, or leaves it to the library', () => {
    let decided = 0;
    fc.assert(
      fc.property(observation.map(asParsed), fc.constantFrom(...paths), (o, path) => {
        const plain = selectPlain(o, path);
        if (!plain) return;
        decided++;
        const nodes = fhirpath.evaluate(o, path, {}, r4Model, { resolveInternalTypes: false }) as Array<{ fullPropertyName(): string; data: unknown }>;
        expect(plain).toEqual(nodes.map((n) => n.fullPropertyName()));
      }),
      { numRuns: 1000, seed: 20261125 },
    );
    // most generated resources are selected without the library
    expect(decided).toBeGreaterThan(300);
  });
});

describe('the selection tree of a plan', () => {
  const rule = (key: string, expression: string) => ({ key, severity: 'error' as const, human: key, expression });
  const placed = [
    { path: 'Observation', constraint: rule('obs-6', 'dataAbsentReason.empty() or value.empty()') },
    { path: 'Observation', constraint: rule('mes-source-oid', "meta.source.empty() or meta.source.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')") },
    { path: 'Observation.effective', constraint: rule('len', 'toString().length() >= 10') },
    { path: 'Observation.value.ofType(Quantity)', constraint: rule('qty-3', 'code.empty() or system.exists()') },
    { path: 'Observation.code.coding', constraint: rule('sys', "system.exists() and code != ''") },
    { path: 'Observation.component', constraint: rule('cmp', 'value.exists() or dataAbsentReason.exists()') },
    { path: 'Observation.component.value.ofType(Period)', constraint: rule('per-1', 'start.hasValue().not() or end.hasValue().not() or (start <= end)') },
    { path: 'Observation.referenceRange.low', constraint: rule('pos', 'value.empty() or value >= 0') },
    { path: 'Observation.subject.identifier', constraint: rule('oid', "system.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')") },
  ];
  const tree = planOf(placed);
  const library = planOf(placed, { libraryOnly: true });

  it('finds the failures the library finds, at the same locations and in the same order', () => {
    expect(tree.selection).toBeDefined();
    expect(library.selection).toBeUndefined();
    const failures = (plan: typeof tree, o: unknown) =>
      runInvariants(plan, o, { resource: o, rootResource: o }).map((f) => `${f.constraint.key}@${f.location}${f.error ? ' error' : ''}`);
    let failing = 0;
    fc.assert(
      fc.property(observation.map(asParsed), (o) => {
        const expected = failures(library, o);
        if (expected.length) failing++;
        expect(failures(tree, o)).toEqual(expected);
      }),
      { numRuns: 600, seed: 20261125 },
    );
    expect(failing).toBeGreaterThan(100);
  });
});
