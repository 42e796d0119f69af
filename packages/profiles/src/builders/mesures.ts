/**
 * Builders for the API Mesures: small functions that take the clinical facts and return a resource
 * that passes its profile's schema and invariants. MES wants its own canonical in meta.profile,
 * the patient identified by `<pairing OID>|<idPe>`, UCUM units and an effective date-time.
 */
import type * as fhir4 from 'fhir/r4.js';
import type {
  MesBundleFeeding,
  MesObservationBloodPressure,
  MesObservationBmi,
  MesObservationBodyHeight,
  MesObservationBodyTemperature,
  MesObservationBodyWeight,
  MesObservationGlucose,
  MesObservationHeadCircumference,
  MesObservationHeartRate,
  MesObservationPainSeverity,
  MesObservationStepsByDay,
  MesObservationWaistCircumference,
} from '../generated/mesures/types.js';
import { oidUri, randomUUID, type MesPatient } from './identifiers.js';
import { generatedNarrative } from './narrative.js';

const UCUM = 'http://unitsofmeasure.org' as const;
const LOINC = 'http://loinc.org' as const;
const MES_BASE = 'https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/';
const MOMENT_URL = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement';
const NUMBER_OF_DAYS_URL = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days';
const PHD_DEVICE = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice';
const ISO_11073 = 'urn:iso:std:iso:11073:10101';

/** What every measure needs besides its value. */
export interface MeasureFacts {
  patient: MesPatient;
  /** When the measure was taken (ISO 8601 date-time with time zone, or a Date). */
  effective: string | Date;
  /** Default `final`. */
  status?: 'registered' | 'preliminary' | 'final' | 'amended';
  /** The vendor's OID (or a sub-OID of it), sent as meta.source. */
  sourceOid?: string;
  /** Free-text reason for the measure (ANS extension mesures-reason-for-measurement). */
  reason?: string;
  /** The Device of the feeding Bundle that took the measure (sets device.reference). */
  device?: { id: string };
  /** Resource id; a UUID is generated when absent. */
  id?: string;
}

const iso = (d: string | Date) => (typeof d === 'string' ? d : d.toISOString());

/** What a measure's narrative says: the code, the value (or each component's) and when. */
function observationNarrative(o: {
  code: fhir4.CodeableConcept;
  valueQuantity?: fhir4.Quantity;
  component?: Array<{ code: fhir4.CodeableConcept; valueQuantity?: fhir4.Quantity }>;
  effectiveDateTime?: string;
}): { status: 'generated'; div: string } {
  const name = (c: fhir4.CodeableConcept) => c.text ?? c.coding?.[0]?.display ?? c.coding?.[0]?.code ?? '';
  const amount = (q?: fhir4.Quantity) => (q?.value === undefined ? '' : `${q.value} ${q.unit ?? q.code ?? ''}`.trim());
  return generatedNarrative([
    o.valueQuantity ? `${name(o.code)}: ${amount(o.valueQuantity)}` : name(o.code),
    ...(o.component ?? []).map((c) => `${name(c.code)}: ${amount(c.valueQuantity)}`),
    o.effectiveDateTime ?? '',
  ]);
}

/** The measure with its generated narrative (see narrative.ts). */
const described = <O extends Parameters<typeof observationNarrative>[0]>(o: O): O & { text: fhir4.Narrative } => ({ ...o, text: observationNarrative(o) });

/** The parts shared by the measures; the category and code slices are filled in by each builder. */
function common<Id extends string>(mesId: Id, f: MeasureFacts) {
  return {
    id: f.id ?? randomUUID(),
    meta: {
      profile: [`${MES_BASE}${mesId}` as const],
      ...(f.sourceOid ? { source: oidUri(f.sourceOid) } : {}),
    },
    status: f.status ?? ('final' as const),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category' as const, code: 'vital-signs' as const }] }],
    subject: { identifier: { system: oidUri(f.patient.oid), value: f.patient.idPe } },
    effectiveDateTime: iso(f.effective),
    ...(f.device ? { device: { reference: `Device/${f.device.id}` } } : {}),
    ...(f.reason
      ? { extension: [{ url: 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement', valueString: f.reason }] }
      : {}),
  };
}

function quantity<C extends string>(value: number, code: C): { value: number; unit: C; system: typeof UCUM; code: C };
function quantity<C extends string, U extends string>(value: number, code: C, unit: U): { value: number; unit: U; system: typeof UCUM; code: C };
function quantity(value: number, code: string, unit: string = code) {
  return { value, unit, system: UCUM, code };
}
const loinc = <C extends string>(code: C, display: string) => ({ coding: [{ system: LOINC, code, display }] });

/**
 * Body weight (LOINC 29463-7) in kg.
 *
 * @example bodyWeight({ patient, effective, kg: 72.5 })
 */
export function bodyWeight(f: MeasureFacts & { kg: number }): MesObservationBodyWeight {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-bodyweight', f),
    code: loinc('29463-7', 'Body weight'),
    valueQuantity: quantity(f.kg, 'kg'),
  });
}

/**
 * Body height (LOINC 8302-2) in cm.
 *
 * @example bodyHeight({ patient, effective, cm: 176 })
 */
export function bodyHeight(f: MeasureFacts & { cm: number }): MesObservationBodyHeight {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-bodyheight', f),
    code: loinc('8302-2', 'Body height'),
    valueQuantity: quantity(f.cm, 'cm'),
  });
}

/**
 * BMI as MES returns it in searches. MES computes BMI itself and refuses its creation (422).
 *
 * @example bmi({ patient, effective, kgPerM2: 23.4 })
 */
export function bmi(f: MeasureFacts & { kgPerM2: number }): MesObservationBmi {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-bmi', f),
    code: loinc('39156-5', 'Body mass index (BMI) [Ratio]'),
    valueQuantity: quantity(f.kgPerM2, 'kg/m2'),
  });
}

/**
 * Blood pressure (LOINC 85354-9): systolic and diastolic components in mm[Hg].
 *
 * @example bloodPressure({ patient, effective, systolic: 128, diastolic: 82 })
 */
export function bloodPressure(f: MeasureFacts & { systolic: number; diastolic: number }): MesObservationBloodPressure {
  const component = (code: '8480-6' | '8462-4', display: string, value: number) => ({
    code: { coding: [{ system: LOINC, code, display }] },
    valueQuantity: quantity(value, 'mm[Hg]', 'mmHg'),
  });
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-bp', f),
    code: loinc('85354-9', 'Blood pressure panel with all children optional'),
    component: [component('8480-6', 'Systolic blood pressure', f.systolic), component('8462-4', 'Diastolic blood pressure', f.diastolic)],
  });
}

/**
 * Body temperature (LOINC 8310-5) in °C (UCUM `Cel`).
 *
 * @example bodyTemperature({ patient, effective, celsius: 38.2 })
 */
export function bodyTemperature(f: MeasureFacts & { celsius: number }): MesObservationBodyTemperature {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-bodytemperature', f),
    code: loinc('8310-5', 'Body temperature'),
    valueQuantity: quantity(f.celsius, 'Cel', '°C'),
  });
}

/**
 * Heart rate (LOINC 8867-4) in beats per minute.
 *
 * @example heartRate({ patient, effective, bpm: 64 })
 */
export function heartRate(f: MeasureFacts & { bpm: number }): MesObservationHeartRate {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-heartrate', f),
    code: loinc('8867-4', 'Heart rate'),
    valueQuantity: quantity(f.bpm, '/min'),
  });
}

/** NOS terminologies (ANS) whose codes the glycaemia extensions and kinds use. */
export const NOS_LOINC = 'https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc';
export const NOS_CISP2 = 'https://mos.esante.gouv.fr/NOS/TRE_R313-CISP2/FHIR/TRE-R313-CISP2';
export const NOS_TAASIP = 'https://mos.esante.gouv.fr/NOS/TRE_R308-TAASIP/FHIR/TRE-R308-TAASIP';

/**
 * The moments of a blood glucose measure, as the codings of the NOS value set JDV_J157-MomentGlucose-ENS
 * (version 20220429120000) that the ANS glucose profile binds with required strength.
 */
export const GLUCOSE_MOMENTS = {
  fasting: { system: NOS_LOINC, code: '53049-3', display: 'Glucose à jeun' },
  'after-meal': { system: NOS_LOINC, code: '16915-1', display: 'Glucose post prandial' },
  'before-meal': { system: NOS_LOINC, code: '88365-2', display: 'Avant repas' },
  'after-exercise': { system: NOS_LOINC, code: 'LA11865-5', display: 'Après exercice' },
  malaise: { system: NOS_CISP2, code: 'A05', display: "Lors d'un malaise" },
  other: { system: NOS_LOINC, code: 'LA46-8', display: 'Autre' },
} as const;

/**
 * The periods of a glucose average, as the codings of the NOS value set
 * JDV_J164-GlucoseNumberOfDays-ENS (version 20220128120000).
 */
export const GLUCOSE_NUMBER_OF_DAYS = {
  7: { system: NOS_TAASIP, code: 'GEN-275', display: '7j' },
  14: { system: NOS_TAASIP, code: 'GEN-276', display: '14j' },
  30: { system: NOS_TAASIP, code: 'GEN-277', display: '30j' },
  90: { system: NOS_TAASIP, code: 'GEN-278', display: '90j' },
  other: { system: NOS_TAASIP, code: 'GEN-092', display: 'Autre' },
} as const;

export type GlucoseMoment = keyof typeof GLUCOSE_MOMENTS;
export type GlucoseNumberOfDays = keyof typeof GLUCOSE_NUMBER_OF_DAYS;

/**
 * Blood glucose (LOINC 2345-7) in mg/dL; MES requires the moment of the measure.
 *
 * @example bloodGlucose({ patient, effective, mgPerDl: 96, moment: 'fasting' })
 */
export function bloodGlucose(f: MeasureFacts & { mgPerDl: number; moment: GlucoseMoment }): MesObservationGlucose {
  const base = common('mes-observation-glucose', f);
  return described({
    resourceType: 'Observation',
    ...base,
    extension: [...(base.extension ?? []), { url: MOMENT_URL, valueCodeableConcept: { coding: [{ ...GLUCOSE_MOMENTS[f.moment] }] } }],
    code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma'),
    valueQuantity: quantity(f.mgPerDl, 'mg/dL'),
  });
}

/**
 * HbA1c (LOINC 4548-4) in %; neither moment nor number of days.
 *
 * @example hba1c({ patient, effective, percent: 6.1 })
 */
export function hba1c(f: MeasureFacts & { percent: number }): MesObservationGlucose {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-glucose', f),
    code: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'),
    valueQuantity: quantity(f.percent, '%'),
  });
}

const GLUCOSE_AVERAGES = {
  'MED-969': { display: 'Glucose interstitiel', unit: 'mg/dL' },
  'MED-972': { display: 'Index de gestion de glycémie (IGG)', unit: '%' },
} as const;

/**
 * An average over a number of days: mean interstitial glucose (MED-969, mg/dL) or glycaemia
 * management index (MED-972, %), both codes of the NOS TRE_R308-TAASIP.
 *
 * @example glucoseAverage({ patient, effective, kind: 'MED-969', value: 132, days: 14 })
 */
export function glucoseAverage(f: MeasureFacts & { kind: keyof typeof GLUCOSE_AVERAGES; value: number; days: GlucoseNumberOfDays }): MesObservationGlucose {
  const base = common('mes-observation-glucose', f);
  const kind = GLUCOSE_AVERAGES[f.kind];
  return described({
    resourceType: 'Observation',
    ...base,
    extension: [...(base.extension ?? []), { url: NUMBER_OF_DAYS_URL, valueCodeableConcept: { coding: [{ ...GLUCOSE_NUMBER_OF_DAYS[f.days] }] } }],
    code: { coding: [{ system: NOS_TAASIP, code: f.kind, display: kind.display }] },
    valueQuantity: quantity(f.value, kind.unit),
  });
}

/**
 * Pain level 0–10 (LOINC 72514-3), unit "1" labelled Level as the ANS profile fixes.
 *
 * @example painSeverity({ patient, effective, score: 4 })
 */
export function painSeverity(f: MeasureFacts & { score: number }): MesObservationPainSeverity {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-painseverity', f),
    code: loinc('72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported'),
    valueQuantity: quantity(f.score, '1', 'Level'),
  });
}

/**
 * Steps per day (LOINC 41950-7).
 *
 * @example stepsByDay({ patient, effective, steps: 8432 })
 */
export function stepsByDay(f: MeasureFacts & { steps: number }): MesObservationStepsByDay {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-stepsbyday', f),
    code: loinc('41950-7', 'Number of steps in 24 hour Measured'),
    valueQuantity: quantity(f.steps, '1/(24.h)', 'steps/day'),
  });
}

/**
 * Waist circumference (LOINC 8280-0) in cm.
 *
 * @example waistCircumference({ patient, effective, cm: 86 })
 */
export function waistCircumference(f: MeasureFacts & { cm: number }): MesObservationWaistCircumference {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-waistcircumference', f),
    code: loinc('8280-0', 'Waist Circumference at umbilicus by Tape measure'),
    valueQuantity: quantity(f.cm, 'cm'),
  });
}

/**
 * Head circumference (LOINC 8287-5) in cm.
 *
 * @example headCircumference({ patient, effective, cm: 41.5 })
 */
export function headCircumference(f: MeasureFacts & { cm: number }): MesObservationHeadCircumference {
  return described({
    resourceType: 'Observation',
    ...common('mes-observation-headcircumference', f),
    // R4's head circumference profile requires its own code 9843-4 beside LOINC 8287-5.
    code: {
      coding: [
        { system: LOINC, code: '8287-5', display: 'Head Occipital-frontal circumference by Tape measure' },
        { system: LOINC, code: '9843-4', display: 'Head Occipital-frontal circumference' },
      ],
    },
    valueQuantity: quantity(f.cm, 'cm'),
  });
}

/** IEEE 11073 specializations of personal health devices (partition 8 × 65536 + term code). */
export const PHD_SPECIALIZATIONS = {
  'pulse-oximeter': 528388,
  'blood-pressure-cuff': 528391,
  thermometer: 528392,
  'weight-scale': 528399,
  'glucose-monitor': 528401,
  generic: 528457,
} as const;

const CONTINUA_DEVICE_IDENTIFIERS = 'http://hl7.org/fhir/uv/phd/CodeSystem/ContinuaDeviceIdentifiers';
/** The identifier system PhdDevice fixes for the IEEE EUI-64 system id. */
const EUI64_SYSTEM = 'urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680';

/** An EUI-64 (16 hex digits, separators allowed) written as PhdDevice examples do: `00-1B-2C-FF-FE-3D-4E-5F`. */
export function eui64(systemId: string): string {
  const hex = systemId.replace(/[-:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{16}$/.test(hex)) throw new RangeError(`"${systemId}" is not an IEEE EUI-64 system id (16 hexadecimal digits)`);
  return hex.match(/../g)!.join('-');
}

/**
 * A personal health device as the feeding Bundle sends it, conforming to PhdDevice: the vendor's
 * identifier (named by the Bundle's ifNoneExist) first, then the EUI-64 system id, the MDC device
 * type 65573, the IEEE 11073 specialization with its version, manufacturer and model.
 */
export function phdDevice(f: {
  /** The vendor's OID under which device identifiers are unique. */
  identifierOid: string;
  serial: string;
  /** The device's IEEE EUI-64 system id (16 hex digits; `-` or `:` separators accepted). */
  systemId: string;
  kind: keyof typeof PHD_SPECIALIZATIONS;
  /** The version of the IEEE 11073 specialization the device implements (default "1"). */
  specializationVersion?: string;
  manufacturer: string;
  model: string;
  id?: string;
}): fhir4.Device & { id: string } {
  return {
    resourceType: 'Device',
    id: f.id ?? randomUUID(),
    meta: { profile: [PHD_DEVICE] },
    text: generatedNarrative([`${f.manufacturer} ${f.model}`, `${f.kind}, serial ${f.serial}`, `EUI-64 ${eui64(f.systemId)}`]),
    identifier: [
      { system: oidUri(f.identifierOid), value: f.serial },
      { type: { coding: [{ system: CONTINUA_DEVICE_IDENTIFIERS, code: 'SYSID' }] }, system: EUI64_SYSTEM, value: eui64(f.systemId) },
    ],
    type: { coding: [{ system: ISO_11073, code: '65573', display: 'MDC_MOC_VMS_MDS_SIMP' }] },
    specialization: [{ systemType: { coding: [{ system: ISO_11073, code: String(PHD_SPECIALIZATIONS[f.kind]) }] }, version: f.specializationVersion ?? '1' }],
    manufacturer: f.manufacturer,
    modelNumber: f.model,
  };
}

type CreatableMeasure = Exclude<NonNullable<MesBundleFeeding['entry']>[number]['resource'], fhir4.Device | undefined>;

/**
 * The transaction Bundle MES expects: the Observation POSTed with a fullUrl and, when a device is
 * given, the Device created conditionally (ifNoneExist on its identifier) and linked by id.
 *
 * @example feedingBundle(observation, phdDevice({ identifierOid, serial, systemId, kind: 'weight-scale', manufacturer, model }))
 */
export function feedingBundle(observation: CreatableMeasure, device?: fhir4.Device & { id: string }): MesBundleFeeding {
  const obsId = observation.id ?? randomUUID();
  const linked = device ? { ...observation, id: obsId, device: { reference: `Device/${device.id}` } } : { ...observation, id: obsId };
  const identifier = device?.identifier?.[0];
  const entries: NonNullable<MesBundleFeeding['entry']> = [
    { fullUrl: `urn:uuid:${obsId}`, resource: linked as CreatableMeasure, request: { method: 'POST', url: 'Observation' } },
  ];
  if (device) {
    entries.push({
      fullUrl: `urn:uuid:${device.id}`,
      resource: device,
      request: { method: 'POST', url: 'Device', ifNoneExist: `identifier=${identifier?.system ?? ''}|${identifier?.value ?? ''}` },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
