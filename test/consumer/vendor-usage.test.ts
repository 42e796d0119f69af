/**
 * What a vendor writes: build a weight, check it, wrap it in a feeding Bundle. Compiled by
 * `tsc -p test` (type tests) and run by vitest.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  bloodPressure,
  bodyWeight,
  checkResource,
  feedingBundle,
  MesObservationBodyWeightSchema,
  phdDevice,
  type MesBundleFeeding,
  type MesObservationBloodPressure_SystolicBP,
  type MesObservationBodyWeight,
} from '@mes-fhir/profiles';

describe('a vendor sending a weighing to Mon espace santé', () => {
  const weight = bodyWeight({ patient: { oid: '2.999.1.2.3', idPe: 'IDPE-7F3A92C4' }, effective: '2026-03-18T07:32:00+01:00', kg: 81.3 });

  it('builds, checks and wraps a weight', () => {
    expect(checkResource(weight).valid).toBe(true);
    const bundle: MesBundleFeeding = feedingBundle(
      weight,
      phdDevice({
        identifierOid: '2.999.1.2.3.2',
        serial: 'BX-1',
        systemId: '00-1B-2C-FF-FE-3D-4E-5F',
        kind: 'weight-scale',
        manufacturer: 'Balances Exemple SAS',
        model: 'BX-200',
      }),
    );
    expect(checkResource(bundle, 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding').issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('gets literal types where the profile fixes values', () => {
    expectTypeOf(weight.valueQuantity.code).toEqualTypeOf<'kg'>();
    expectTypeOf(weight.valueQuantity.system).toEqualTypeOf<'http://unitsofmeasure.org'>();
    expectTypeOf<MesObservationBodyWeight['effectiveDateTime']>().toEqualTypeOf<string>();
    expectTypeOf<MesObservationBodyWeight['status']>().toEqualTypeOf<
      'registered' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error' | 'unknown'
    >();
    expectTypeOf<MesObservationBloodPressure_SystolicBP['valueQuantity']['code']>().toEqualTypeOf<'mm[Hg]'>();
    // value[x] is restricted to Quantity: the other choices are gone from the type
    expectTypeOf<MesObservationBodyWeight>().not.toHaveProperty('valueString');
    expectTypeOf<ReturnType<typeof bloodPressure>>().not.toHaveProperty('valueQuantity');
  });

  it('infers from the schema the profile type, in both directions', () => {
    expectTypeOf<z.infer<typeof MesObservationBodyWeightSchema>>().toMatchTypeOf<MesObservationBodyWeight>();
    expectTypeOf<MesObservationBodyWeight>().toMatchTypeOf<z.infer<typeof MesObservationBodyWeightSchema>>();
  });
});
