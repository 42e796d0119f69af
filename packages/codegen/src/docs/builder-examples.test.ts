import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readBuilderExamples } from './builder-examples.js';

describe('readBuilderExamples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'builders-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("files each exported builder's @example under the profile type it returns, awaited or not", () => {
    writeFileSync(
      join(dir, 'mesures.ts'),
      [
        '/** A. @example a({ kg: 1 }) */',
        'export function a(): Weight { return null!; }',
        '/** Also a weight.\n *\n * @example other()\n */',
        'export function other(): Weight { return null!; }',
        '/** @example await doc({ cda }) */',
        'export async function doc(): Promise<Doc> { return null!; }',
        '/** No example. */',
        'export function quiet(): Weight { return null!; }',
        '/** @example hidden() */',
        'function hidden(): Weight { return null!; }',
        '/** @example union() */',
        'export function union(): Weight | Doc { return null!; }',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'mesures.test.ts'), '/** @example t() */\nexport function t(): Weight { return null!; }\n');
    const found = readBuilderExamples(dir);
    expect(Object.fromEntries(found)).toEqual({
      Weight: [
        { builder: 'a', module: '@mes-fhir/profiles/mesures', example: 'a({ kg: 1 })' },
        { builder: 'other', module: '@mes-fhir/profiles/mesures', example: 'other()' },
      ],
      Doc: [{ builder: 'doc', module: '@mes-fhir/profiles/mesures', example: 'await doc({ cda })' }],
    });
  });

  it('finds nothing in a missing folder', () => {
    expect(readBuilderExamples(join(dir, 'none')).size).toBe(0);
  });

  it('finds an example for each measure, the appointment, the DocumentReference and the Bundles apps send', () => {
    const builders = readBuilderExamples(fileURLToPath(new URL('../../../profiles/src/builders', import.meta.url)));
    for (const type of [
      'MesObservationBodyWeight',
      'MesObservationBodyHeight',
      'MesObservationBmi',
      'MesObservationBloodPressure',
      'MesObservationBodyTemperature',
      'MesObservationHeartRate',
      'MesObservationGlucose',
      'MesObservationPainSeverity',
      'MesObservationStepsByDay',
      'MesObservationWaistCircumference',
      'MesObservationHeadCircumference',
      'MesBundleFeeding',
      'MesAppointment',
      'MesDocumentReference',
      'MesProvideDocumentBundle',
    ])
      expect(builders.get(type)?.[0]?.example, type).toMatch(/^(await )?[a-z]\w*\(/);
    expect(builders.get('MesObservationGlucose')?.map((b) => b.builder)).toEqual(['bloodGlucose', 'hba1c', 'glucoseAverage']);
    expect(builders.get('MesAppointment')?.[0]?.module).toBe('@mes-fhir/profiles/agenda');
  });
});
