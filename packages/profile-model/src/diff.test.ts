import { describe, expect, it } from 'vitest';
import { diffProfiles, isBreaking, type Impact } from './diff.js';
import type { ElementDefinitionJson, StructureDefinitionJson } from './element-definition.js';

/** A small Observation profile snapshot; `edit` changes elements by id. */
function profile(edit: (byId: Map<string, ElementDefinitionJson>, all: ElementDefinitionJson[]) => void = () => {}): StructureDefinitionJson {
  const element: ElementDefinitionJson[] = [
    { id: 'Observation', path: 'Observation', min: 0, max: '*' },
    {
      id: 'Observation.status',
      path: 'Observation.status',
      min: 1,
      max: '1',
      type: [{ code: 'code' }],
      binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status|4.0.1' },
    },
    {
      id: 'Observation.code',
      path: 'Observation.code',
      min: 1,
      max: '1',
      type: [{ code: 'CodeableConcept' }],
      patternCodeableConcept: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    },
    {
      id: 'Observation.subject',
      path: 'Observation.subject',
      min: 0,
      max: '1',
      type: [{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Patient'] }],
    },
    {
      id: 'Observation.value[x]',
      path: 'Observation.value[x]',
      min: 0,
      max: '1',
      type: [{ code: 'Quantity' }, { code: 'string' }],
      constraint: [{ key: 'x-1', severity: 'error', human: 'h', expression: 'true' }],
    },
    {
      id: 'Observation.component',
      path: 'Observation.component',
      min: 0,
      max: '*',
      slicing: { discriminator: [{ type: 'pattern', path: 'code' }], rules: 'open' },
    },
    { id: 'Observation.note', path: 'Observation.note', min: 0, max: '*', type: [{ code: 'Annotation' }] },
  ] as ElementDefinitionJson[];
  const byId = new Map(element.map((e) => [e.id!, e]));
  edit(byId, element);
  return {
    resourceType: 'StructureDefinition',
    url: 'https://x.org/StructureDefinition/p',
    name: 'P',
    type: 'Observation',
    kind: 'resource',
    derivation: 'constraint',
    snapshot: { element },
  };
}

const changeOf = (after: StructureDefinitionJson, before = profile()) => {
  const diffs = diffProfiles([before], [after]);
  return diffs[0]?.changes ?? [];
};
const only = (after: StructureDefinitionJson) => {
  const changes = changeOf(after);
  expect(changes).toHaveLength(1);
  return changes[0]!;
};

describe('diffProfiles', () => {
  it('finds nothing between identical profiles', () => {
    expect(diffProfiles([profile()], [profile()])).toEqual([]);
    expect(isBreaking([])).toBe(false);
  });

  it.each<[string, (m: Map<string, ElementDefinitionJson>, all: ElementDefinitionJson[]) => void, string, Impact]>([
    ['min raised', (m) => (m.get('Observation.subject')!.min = 1), 'min', 'senders'],
    ['min lowered', (m) => (m.get('Observation.status')!.min = 0), 'min', 'receivers'],
    ['max lowered', (m) => (m.get('Observation.note')!.max = '1'), 'max', 'senders'],
    ['max raised', (m) => (m.get('Observation.subject')!.max = '*'), 'max', 'receivers'],
    ['type removed', (m) => (m.get('Observation.value[x]')!.type = [{ code: 'Quantity' }]), 'type', 'senders'],
    ['type added', (m) => m.get('Observation.value[x]')!.type!.push({ code: 'boolean' }), 'type', 'receivers'],
    [
      'target profile narrowed',
      (m) => (m.get('Observation.subject')!.type = [{ code: 'Reference', targetProfile: ['https://x.org/StructureDefinition/my-patient'] }]),
      'target-profile',
      'senders',
    ],
    [
      'target profile only versioned',
      (m) => (m.get('Observation.subject')!.type = [{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Patient|4.0.1'] }]),
      'target-profile',
      'compatible',
    ],
    [
      'pattern changed',
      (m) => ((m.get('Observation.code') as Record<string, unknown>).patternCodeableConcept = { coding: [{ system: 'http://loinc.org', code: '3141-9' }] }),
      'fixed',
      'senders',
    ],
    ['pattern removed', (m) => delete (m.get('Observation.code') as Record<string, unknown>).patternCodeableConcept, 'fixed', 'receivers'],
    [
      'binding value set changed',
      (m) => (m.get('Observation.status')!.binding = { strength: 'required', valueSet: 'https://x.org/ValueSet/status' }),
      'binding',
      'senders',
    ],
    [
      'binding weakened',
      (m) => (m.get('Observation.status')!.binding = { strength: 'extensible', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status|4.0.1' }),
      'binding',
      'receivers',
    ],
    [
      'constraint added',
      (m) => m.get('Observation.value[x]')!.constraint!.push({ key: 'x-2', severity: 'error', human: 'h2', expression: 'false' }),
      'constraint',
      'senders',
    ],
    ['constraint removed', (m) => (m.get('Observation.value[x]')!.constraint = []), 'constraint', 'receivers'],
    [
      'warning constraint added',
      (m) => m.get('Observation.value[x]')!.constraint!.push({ key: 'x-3', severity: 'warning', human: 'h3', expression: 'false' }),
      'constraint',
      'compatible',
    ],
    ['slicing closed', (m) => (m.get('Observation.component')!.slicing!.rules = 'closed'), 'slicing', 'senders'],
    ['must-support added', (m) => (m.get('Observation.note')!.mustSupport = true), 'must-support', 'compatible'],
    [
      'required element added',
      (_m, all) => all.push({ id: 'Observation.issued', path: 'Observation.issued', min: 1, max: '1', type: [{ code: 'instant' }] } as ElementDefinitionJson),
      'element-added',
      'senders',
    ],
    [
      'optional slice added',
      (_m, all) =>
        all.push({ id: 'Observation.component:extra', path: 'Observation.component', sliceName: 'extra', min: 0, max: '1' } as ElementDefinitionJson),
      'element-added',
      'compatible',
    ],
  ])('%s', (_label, edit, kind, impact) => {
    const change = only(profile(edit));
    expect(change.kind).toBe(kind);
    expect(change.impact).toBe(impact);
  });

  it('lists profiles added and removed, and counts changes by impact', () => {
    const other = { ...profile(), url: 'https://x.org/StructureDefinition/q' };
    const diffs = diffProfiles([profile()], [other]);
    expect(diffs.map((d) => [d.url.split('/').pop(), d.changes[0]!.kind, d.changes[0]!.impact])).toEqual([
      ['p', 'profile-removed', 'senders'],
      ['q', 'profile-added', 'compatible'],
    ]);
    const d = diffProfiles([profile()], [profile((m) => ((m.get('Observation.subject')!.min = 1), (m.get('Observation.note')!.mustSupport = true)))]);
    expect(d[0]!.counts).toEqual({ senders: 1, receivers: 0, compatible: 1 });
    expect(isBreaking(d)).toBe(true);
  });
});
