/** The API Agenda: create, update and search appointments. */
import type * as fhir4 from 'fhir/r4.js';
import type { MesAppointment } from '@mes-fhir/profiles/agenda';
import type { MesPatient } from '@mes-fhir/profiles/mesures';
import { checkBeforeSending, type LocalCheck } from '../check.js';
import { MesApiError } from '../errors.js';
import type { CallOptions, Http } from '../http.js';
import { patientSearchValue, searchMatches, type SearchParams } from '../search.js';

const APPOINTMENT = 'https://mes-fhir.org/fhir/StructureDefinition/mes-appointment';

export class AppointmentsApi {
  constructor(
    private readonly http: Http,
    private readonly check?: LocalCheck,
  ) {}

  /** Creates an appointment (`appointment()` of @mes-fhir/profiles/agenda builds one); MES answers it with its id. */
  async create(appointment: MesAppointment, options: CallOptions = {}): Promise<MesAppointment> {
    checkBeforeSending(this.check, appointment, APPOINTMENT);
    return (await this.http.request<MesAppointment>('POST', 'Appointment', { body: appointment, signal: options.signal })).body;
  }

  /** Replaces an appointment by its id (a new time, a cancellation: `cancelAppointment()`). */
  async update(appointment: MesAppointment, options: CallOptions = {}): Promise<MesAppointment> {
    if (!appointment.id) throw new MesApiError('bad-request', 'an appointment is updated by its id', 0);
    checkBeforeSending(this.check, appointment, APPOINTMENT);
    const path = `Appointment/${encodeURIComponent(appointment.id)}`;
    return (await this.http.request<MesAppointment>('PUT', path, { body: appointment, signal: options.signal })).body;
  }

  /** The patient's appointments, with further parameters as MES takes them (`date`, `status`…). */
  search(patient: MesPatient, params: SearchParams = {}, options: CallOptions = {}): AsyncGenerator<fhir4.Appointment> {
    return searchMatches<fhir4.Appointment>(this.http, 'Appointment', { 'patient.identifier': patientSearchValue(patient), ...params }, options);
  }
}
