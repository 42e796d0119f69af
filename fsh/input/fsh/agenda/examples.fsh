// Examples of the API Agenda. The RPPS numbers and the idPe are fictitious; 2.999 is the ISO
// example OID arc.

RuleSet: ExampleAppointmentPeople(rpps, name)
* participant[patient].actor.type = "Patient"
* participant[patient].actor.identifier.system = "urn:oid:2.999.1.2.3"
* participant[patient].actor.identifier.value = "IDPE-7F3A92C4"
* participant[patient].status = #accepted
* participant[practitioner].actor.type = "Practitioner"
* participant[practitioner].actor.identifier.system = "urn:oid:1.2.250.1.71.4.2.1"
* participant[practitioner].actor.identifier.value = "{rpps}"
* participant[practitioner].actor.display = "{name}"
* participant[practitioner].status = #accepted

Instance: ExampleAppointmentTeleconsultation
InstanceOf: MesAppointment
Title: "Téléconsultation de suivi avec une médecin généraliste"
Usage: #example
* status = #booked
* appointmentType = $ActCode#VR "virtual"
* reasonCode.text = "Suivi de l'hypertension artérielle"
* description = "Téléconsultation de suivi tensionnel"
* start = "2026-12-03T09:30:00+01:00"
* end = "2026-12-03T09:50:00+01:00"
* insert ExampleAppointmentPeople(10001234567, Dr Claire Martin)

Instance: ExampleAppointmentCabinet
InstanceOf: MesAppointment
Title: "Consultation au cabinet d'un cardiologue, avec l'adresse"
Usage: #example
* contained[0] = ExampleCabinetLocation
* status = #booked
* appointmentType = $ActCode#AMB "ambulatory"
* reasonCode.text = "Bilan cardiologique annuel"
* start = "2026-12-10T14:00:00+01:00"
* end = "2026-12-10T14:30:00+01:00"
* insert ExampleAppointmentPeople(10009876543, Dr Karim Benali)
* participant[location].actor.type = "Location"
* participant[location].actor.reference = "#cabinet"
* participant[location].actor.display = "Cabinet de cardiologie"
* participant[location].status = #accepted

Instance: ExampleCabinetLocation
InstanceOf: Location
Usage: #inline
* id = "cabinet"
* name = "Cabinet de cardiologie du Parc"
* address.line = "12 rue des Tilleuls"
* address.postalCode = "69003"
* address.city = "Lyon"
* address.country = "FR"

Instance: ExampleAppointmentCancelled
InstanceOf: MesAppointment
Title: "Visite à domicile annulée"
Usage: #example
* status = #cancelled
* cancelationReason.text = "Annulé par le patient"
* appointmentType = $ActCode#HH "home health"
* reasonCode.text = "Renouvellement d'ordonnance"
* start = "2026-12-15T18:00:00+01:00"
* end = "2026-12-15T18:30:00+01:00"
* insert ExampleAppointmentPeople(10001234567, Dr Claire Martin)

Instance: ExampleAppointmentSearchResult
InstanceOf: MesAppointmentSearchResult
Title: "Rendez-vous à venir du patient"
Usage: #example
* total = 1
* link[0].relation = "self"
* link[0].url = "https://api-agenda.example/fhir/Appointment?patient.identifier=urn:oid:2.999.1.2.3|IDPE-7F3A92C4&date=ge2026-12-01"
* entry[0].fullUrl = "https://api-agenda.example/fhir/Appointment/ExampleAppointmentTeleconsultation"
* entry[0].resource = ExampleAppointmentTeleconsultation
* entry[0].search.mode = #match
