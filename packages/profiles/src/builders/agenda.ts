/**
 * Builders for the API Agenda: an appointment from the facts MES shows (when, with whom, why, how)
 * and its cancellation.
 */
import type * as fhir4 from 'fhir/r4.js';
import type { MesAppointment, MesAppointment_Location, MesAppointment_Patient, MesAppointment_Practitioner } from '../generated/agenda/types.js';
import { oidUri, type MesPatient } from './identifiers.js';
import { generatedNarrative } from './narrative.js';

const RPPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1' as const;
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** Consultation modes MES displays, with their HL7 v3 ActCode. */
export const CONSULTATION_MODES = {
  'in-person': { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  teleconsultation: { system: ACT_CODE, code: 'VR', display: 'virtual' },
  'home-visit': { system: ACT_CODE, code: 'HH', display: 'home health' },
} as const;

export interface AppointmentFacts {
  patient: MesPatient;
  /** The health professional: RPPS number and the name MES displays. */
  practitioner: { rpps: string; name: string };
  start: string | Date;
  end: string | Date;
  mode: keyof typeof CONSULTATION_MODES;
  /** The reason: free text, or a code (with optional text). */
  reason: string | fhir4.CodeableConcept;
  /** Default `booked`. Apps send proposed, pending, booked or cancelled. */
  status?: 'proposed' | 'pending' | 'booked';
  description?: string;
  /** Where it takes place; sent as a contained Location. */
  location?: { name?: string; address: fhir4.Address };
  id?: string;
}

const iso = (d: string | Date) => (typeof d === 'string' ? d : d.toISOString());

/**
 * An appointment with a health professional, as an app sends it to the API Agenda.
 *
 * @example appointment({ patient, practitioner: { rpps, name }, start, end, mode: 'teleconsultation', reason })
 */
export function appointment(f: AppointmentFacts): MesAppointment {
  const patient: MesAppointment_Patient = {
    actor: { type: 'Patient', identifier: { system: oidUri(f.patient.oid), value: f.patient.idPe } },
    status: 'accepted',
  };
  const practitioner: MesAppointment_Practitioner = {
    actor: { type: 'Practitioner', identifier: { system: RPPS_SYSTEM, value: f.practitioner.rpps }, display: f.practitioner.name },
    status: 'accepted',
  };
  const location: MesAppointment_Location | undefined = f.location
    ? { actor: { type: 'Location', reference: '#location', ...(f.location.name ? { display: f.location.name } : {}) }, status: 'accepted' }
    : undefined;
  const reason = typeof f.reason === 'string' ? f.reason : (f.reason.text ?? f.reason.coding?.[0]?.display ?? f.reason.coding?.[0]?.code ?? '');
  return {
    resourceType: 'Appointment',
    ...(f.id ? { id: f.id } : {}),
    // generated from the facts below; the status is left out, so that a cancellation keeps it true
    text: generatedNarrative([
      `${iso(f.start)} – ${iso(f.end)} (${CONSULTATION_MODES[f.mode].display})`,
      `${f.practitioner.name} (RPPS ${f.practitioner.rpps})`,
      reason,
      f.location?.name ?? '',
    ]),
    ...(f.location
      ? { contained: [{ resourceType: 'Location', id: 'location', ...(f.location.name ? { name: f.location.name } : {}), address: f.location.address }] }
      : {}),
    status: f.status ?? 'booked',
    appointmentType: { coding: [{ ...CONSULTATION_MODES[f.mode] }] },
    reasonCode: [typeof f.reason === 'string' ? { text: f.reason } : f.reason],
    ...(f.description ? { description: f.description } : {}),
    start: iso(f.start),
    end: iso(f.end),
    participant: location ? [patient, practitioner, location] : [patient, practitioner],
  };
}

/**
 * The same appointment, cancelled (MES keeps it and shows it as cancelled).
 *
 * @example cancelAppointment(booked, 'Indisponibilité du praticien')
 */
export function cancelAppointment(appt: MesAppointment, reason?: string): MesAppointment {
  return { ...structuredClone(appt), status: 'cancelled', ...(reason ? { cancelationReason: { text: reason } } : {}) };
}
