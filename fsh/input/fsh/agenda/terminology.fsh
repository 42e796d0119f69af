// Value sets of the Agenda profiles, from codes available offline.

Alias: $ActCode = http://terminology.hl7.org/CodeSystem/v3-ActCode
Alias: $AppointmentStatus = http://hl7.org/fhir/appointmentstatus

ValueSet: MesConsultationModeVS
Id: mes-consultation-mode
Title: "Mode de consultation"
Description: "Mode de consultation d'un rendez-vous affiché par Mon espace santé : au cabinet ou en établissement (AMB), en téléconsultation (VR), à domicile (HH). Codes HL7 v3 ActCode."
* ^experimental = false
* $ActCode#AMB "ambulatory"
* $ActCode#VR "virtual"
* $ActCode#HH "home health"

ValueSet: MesAppointmentStatusVS
Id: mes-appointment-status
Title: "Statuts de rendez-vous qu'une application peut envoyer"
Description: "Statuts qu'une application référencée envoie à l'API Agenda : proposé, en attente, réservé, annulé."
* ^experimental = false
* $AppointmentStatus#proposed "Proposed"
* $AppointmentStatus#pending "Pending"
* $AppointmentStatus#booked "Booked"
* $AppointmentStatus#cancelled "Cancelled"
