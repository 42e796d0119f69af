import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.js';
import { describe, expect, it } from 'vitest';
import { typeOfSuffix } from './r4-model.js';
import { planOf, runInvariants } from './plan.js';
import { CODED_INVARIANTS } from './coded-invariants.js';

/** As the validator receives it: parsed JSON (fast-check may build objects without a prototype, which JSON never gives). */
const asParsed = <T>(value: T): T => JSON.parse(JSON.stringify(value));

type Node = { data: unknown; path?: string };
/**
 * The library's verdict of an invariant on each node a path selects, as the validator's fallback
 * evaluates it; undefined where the library throws (dom-3 on some contained resources), which the
 * validator reports as not evaluable.
 */
function libraryVerdicts(resource: Record<string, unknown>, path: string, expression: string): Array<{ node: Node; holds: boolean | undefined }> {
  const nodes = fhirpath.evaluate(resource, path, {}, r4Model, { resolveInternalTypes: false }) as Node[];
  const compiled = fhirpath.compile(expression, r4Model);
  return nodes.map((node) => {
    try {
      const result = compiled(node as object, { resource, rootResource: resource }) as unknown[];
      return { node, holds: result.length === 1 && result[0] === true };
    } catch {
      return { node, holds: undefined };
    }
  });
}

// Observations as apps write them, right and wrong: the shapes each native decides, and the others
// (contained resources, components, nulls, empty arrays and objects, `_` companions) it must leave alone.
const primitiveExtra = fc.record({ extension: fc.constant([{ url: 'u', valueString: 'x' }]) });
const someString = fc.oneof(fc.constantFrom('', 'x', 'kg', 'http://unitsofmeasure.org'), fc.constant(null));
const quantity = fc.record(
  {
    value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    unit: someString,
    system: someString,
    _system: primitiveExtra,
    code: someString,
    _code: primitiveExtra,
  },
  { requiredKeys: [] },
);
const codeableConcept = fc.oneof(
  fc.constant({}),
  fc.record({ text: someString }),
  fc.record({ coding: fc.array(fc.record({ system: fc.constant('http://loinc.org'), code: fc.constantFrom('8480-6', '29463-7') }), { maxLength: 2 }) }),
);
const contained = fc.oneof(
  fc.constant([]),
  fc.array(
    fc.record(
      {
        resourceType: fc.constantFrom('Patient', 'Device'),
        id: fc.constantFrom('p', 'd'),
        meta: fc.oneof(fc.constant({}), fc.record({ versionId: fc.constant('1') }), fc.record({ security: fc.constant([{ code: 'N' }]) })),
        contained: fc.constant([{ resourceType: 'Patient', id: 'x' }]),
        // a contained resource that refers to its container
        link: fc.constant([{ other: { reference: '#' } }]),
      },
      { requiredKeys: ['resourceType'] },
    ),
    { minLength: 1, maxLength: 2 },
  ),
  fc.constant(null),
);
const components = fc.oneof(
  fc.constant([]),
  fc.constant(null),
  fc.array(fc.record({ code: codeableConcept, valueQuantity: quantity }, { requiredKeys: [] }), { minLength: 1, maxLength: 2 }),
);
const value = fc.oneof(
  fc.record({ valueQuantity: quantity }),
  fc.record({ valueQuantity: fc.constant({}) }),
  fc.record({ valueString: someString }),
  fc.record({ _valueString: primitiveExtra }),
  fc.record({ valueBoolean: fc.boolean() }),
  fc.record({ valueInteger: fc.integer({ min: -2, max: 2 }) }),
  fc.record({ valueCodeableConcept: codeableConcept }),
  fc.record({ valueQuantity: quantity, valueString: fc.constant('two values') }),
  fc.constant({}),
);
const effective = fc.oneof(
  fc.record({
    effectiveDateTime: fc.constantFrom('2026', '2026-03', '2026-03-04', '2026-03-04T10:00:00+01:00', '2026-02-30T25:61:00', 'hier', 'pas une date du tout', ''),
  }),
  fc.record({ effectiveDateTime: fc.constant('2026-03-04'), _effectiveDateTime: primitiveExtra }),
  fc.record({ effectivePeriod: fc.record({ start: fc.constant('2026-03-04') }, { requiredKeys: [] }) }),
  fc.record({ effectiveInstant: fc.constant('2026-03-04T10:00:00Z') }),
  fc.constant({}),
);
const observation = fc
  .tuple(
    fc.record(
      {
        contained,
        text: fc.oneof(
          fc.constant(null),
          fc.record(
            { status: fc.constant('generated'), div: fc.constantFrom('<div xmlns="http://www.w3.org/1999/xhtml">x</div>', ''), _div: primitiveExtra },
            { requiredKeys: [] },
          ),
        ),
        _text: primitiveExtra,
        dataAbsentReason: fc.oneof(codeableConcept, fc.constant(null)),
        component: components,
        hasMember: fc.oneof(fc.constant([]), fc.constant([{ reference: 'Observation/1' }])),
        code: codeableConcept,
        meta: fc.oneof(
          fc.constant({}),
          fc.record({ source: fc.constantFrom('urn:oid:1.2.250.1.213', 'urn:oid:vendor', 'urn:oid:3.1', '', 'https://example.org') }),
          fc.record({ source: fc.constant('urn:oid:1.2.3'), _source: primitiveExtra }),
          // a uri naming a contained resource (dom-3)
          fc.record({ source: fc.constantFrom('#p', '#d', '#') }),
          fc.constant(null),
        ),
        _meta: primitiveExtra,
        subject: fc.oneof(
          fc.constant({ reference: 'Patient/1' }),
          fc.constantFrom({ reference: '#p' }, { reference: '#d' }, { display: '#p' }),
          fc.record({
            identifier: fc.oneof(
              fc.constant({}),
              fc.constant(null),
              fc.record(
                { system: fc.constantFrom('urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:01.2', 'http://x', ''), value: fc.constant('IDPE') },
                { requiredKeys: [] },
              ),
            ),
          }),
          fc.record({ identifier: fc.record({ system: fc.constant('urn:oid:1.2.3'), _system: primitiveExtra }) }),
          fc.record({ identifier: fc.constant({ system: 'urn:oid:1.2.3' }), _identifier: primitiveExtra }),
        ),
        _subject: primitiveExtra,
      },
      { requiredKeys: [] },
    ),
    value,
    effective,
  )
  .map(([base, v, e]) => asParsed({ resourceType: 'Observation', status: 'final', ...base, ...v, ...e }));

/**
 * The expression the library is asked: the constraint's own, except dom-3's
 * `%resource.descendants().as(uri)`, which the library refuses on several descendants (as() takes
 * one item) and the coded verdict reads as the HL7 validator does, as ofType(uri).
 */
const libraryExpression = (key: string, expression: string) =>
  key === 'dom-3' ? expression.replaceAll('descendants().as(', 'descendants().ofType(') : expression;

/** Where each native is placed in the validator's plans, and on what. */
const PLACES: Record<string, string> = {
  'dom-2': 'Observation',
  'dom-3': 'Observation',
  'dom-4': 'Observation',
  'dom-5': 'Observation',
  'dom-6': 'Observation',
  'obs-6': 'Observation',
  'obs-7': 'Observation',
  'vs-2': 'Observation',
  'vs-1': 'Observation.effective',
  'qty-3': 'Observation.value.ofType(Quantity)',
  'mes-source-oid': 'Observation',
  'mes-subject-oid': 'Observation',
};

/** The type the walk passes with a selected value (a choice's type, from its JSON name). */
const typeOf = (node: Node, resource: Record<string, unknown>) => {
  if (node.data === resource) return 'Observation';
  const key = Object.keys(resource).find((k) => resource[k] === node.data && k.startsWith('effective'));
  return key ? typeOfSuffix(key.slice('effective'.length)) : node.path;
};

describe('coded invariants give exactly the verdict of fhirpath on the original expression', () => {
  it('covers every coded verdict with a place to test it', () => {
    expect(Object.keys(PLACES).sort()).toEqual(Object.keys(CODED_INVARIANTS).sort());
  });

  it.each(Object.keys(PLACES))('%s on generated Observations', (key) => {
    const { expression, decide } = CODED_INVARIANTS[key]!;
    let decided = 0;
    let undecided = 0;
    fc.assert(
      fc.property(observation, (resource) => {
        for (const { node, holds } of libraryVerdicts(resource, PLACES[key]!, libraryExpression(key, expression))) {
          const verdict = decide(node.data, key === 'qty-3' ? 'Quantity' : typeOf(node, resource));
          if (verdict === undefined) {
            undecided++;
            continue;
          }
          decided++;
          expect(verdict, JSON.stringify(node.data)).toBe(holds);
        }
      }),
      { numRuns: 3000 },
    );
    // the natives decide the common shapes: a test that decides nothing would prove nothing
    expect(decided).toBeGreaterThan(300);
    // and they leave the others to the closure and the library
    expect(undecided).toBeGreaterThan(0);
  });
});

it('through a validation plan (selection tree, coded verdicts, closures): the failures of a plan that asks only the library', () => {
  const placed = Object.entries(CODED_INVARIANTS).map(([key, { expression }]) => ({
    path: PLACES[key]!,
    constraint: { key, severity: 'error' as const, human: key, expression },
  }));
  const withCodedVerdicts = planOf(placed);
  const libraryOnly = planOf(
    placed.map((p) => ({ ...p, constraint: { ...p.constraint, expression: libraryExpression(p.constraint.key, p.constraint.expression) } })),
    { libraryOnly: true },
  );
  const failures = (plan: typeof withCodedVerdicts, o: Record<string, unknown>) =>
    runInvariants(plan, o, { resource: o, rootResource: o }).map((f) => `${f.constraint.key}@${f.location}${f.error ? ' error' : ''}`);
  let failing = 0;
  fc.assert(
    fc.property(observation, (o) => {
      const expected = failures(libraryOnly, o);
      if (expected.length) failing++;
      expect(failures(withCodedVerdicts, o)).toEqual(expected);
    }),
    { numRuns: 1500 },
  );
  expect(failing).toBeGreaterThan(300);
});

describe('each coded verdict stands for the expression the definitions carry', () => {
  // A coded verdict is used only where a constraint's expression is exactly its own: if R4, FrCore,
  // the ANS packages or our FSH rewrote a rule, the verdict would silently stop being used (or, if
  // its text were copied wrong, never be). Each must match a constraint the definitions carry.
  it('every coded key and expression is a constraint of the loaded definitions, and of our FSH for our own rules', async () => {
    const { loadProjectIndex } = await import('@mes-fhir/fhir-packages');
    const { index } = await loadProjectIndex({ logger: {} });
    const carried = new Map<string, Set<string>>();
    for (const entry of index.list('StructureDefinition')) {
      const sd = index.read<{ snapshot?: { element: Array<{ constraint?: Array<{ key: string; expression?: string }> }> } }>(entry);
      for (const element of sd.snapshot?.element ?? []) {
        for (const c of element.constraint ?? []) if (c.expression) (carried.get(c.key) ?? carried.set(c.key, new Set()).get(c.key)!).add(c.expression);
      }
    }
    for (const [key, { expression }] of Object.entries(CODED_INVARIANTS)) expect([...(carried.get(key) ?? [])], key).toContain(expression);
    const fsh = readFileSync(new URL('../../../../fsh/input/fsh/common/invariants.fsh', import.meta.url), 'utf8');
    for (const key of ['mes-source-oid', 'mes-subject-oid']) {
      const written = new RegExp(`Invariant: ${key}\\n(?:.*\\n)*?Expression: "(.*)"`).exec(fsh)?.[1];
      expect(written, key).toBe(CODED_INVARIANTS[key]!.expression);
    }
  });
});
