// API Agenda: the appointments an app adds, updates and searches in Mon espace santé.

Invariant: mes-appt-reason
Description: "Chaque motif du rendez-vous est codé ou donné en texte."
Expression: "reasonCode.all(coding.exists() or text.exists())"
Severity: #error

Invariant: mes-appt-period
Description: "Le rendez-vous se termine après son début."
Expression: "start.exists() and end.exists() implies end > start"
Severity: #error

Invariant: mes-appt-patient-oid
Description: "Le patient est identifié par l'OID attribué à l'application lors de l'appariement (urn:oid:<OID>) et son idPe."
Expression: "participant.where(actor.type = 'Patient').all(actor.identifier.system.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$'))"
Severity: #error

Invariant: mes-appt-location-address
Description: "Le lieu, quand il est donné, est une ressource Location contenue qui porte une adresse."
Expression: "participant.where(actor.type = 'Location').actor.reference.all(startsWith('#')) and participant.where(actor.type = 'Location').actor.reference.replace('#', '').subsetOf(contained.ofType(Location).where(address.exists()).id)"
Severity: #error

Profile: MesAppointment
Parent: gap-fr-appointment
Id: mes-appointment
Title: "MES Rendez-vous"
Description: """
Rendez-vous qu'une application référencée ajoute, met à jour ou recherche dans l'API Agenda de
Mon espace santé, qui affiche les rendez-vous à venir avec leur motif, leur mode de consultation et
le professionnel. Ce profil contraint uniquement ce que ces faits imposent : début et fin, statut
(proposé, en attente, réservé, annulé), patient identifié par <OID d'appariement>|<idPe>,
professionnel identifié par son RPPS et son nom, motif codé ou textuel, mode de consultation et
lieu facultatif avec adresse.
"""
* start 1..1
* end 1..1
* status from MesAppointmentStatusVS (required)
* reasonCode 1..*
* reasonCode ^short = "Motif du rendez-vous (codé ou texte)"
* appointmentType 1..1
* appointmentType from MesConsultationModeVS (required)
* appointmentType ^short = "Mode de consultation : AMB (cabinet), VR (téléconsultation), HH (domicile)"
* participant ^slicing.discriminator.type = #value
* participant ^slicing.discriminator.path = "actor.type"
* participant ^slicing.rules = #open
* participant ^slicing.description = "Le patient, le professionnel et, s'il est donné, le lieu"
* participant contains patient 1..1 and practitioner 1..1 and location 0..1
* participant[patient].actor 1..1
* participant[patient].actor.type 1..1
* participant[patient].actor.type = "Patient" (exactly)
* participant[patient].actor.identifier 1..1
* participant[patient].actor.identifier.system 1..1
* participant[patient].actor.identifier.value 1..1
* participant[patient].actor.identifier ^short = "<OID d'appariement>|<idPe>"
* participant[practitioner].actor 1..1
* participant[practitioner].actor.type 1..1
* participant[practitioner].actor.type = "Practitioner" (exactly)
* participant[practitioner].actor.identifier 1..1
* participant[practitioner].actor.identifier.system 1..1
* participant[practitioner].actor.identifier.system = "urn:oid:1.2.250.1.71.4.2.1" (exactly)
* participant[practitioner].actor.identifier.value 1..1
* participant[practitioner].actor.identifier ^short = "Numéro RPPS du professionnel"
* participant[practitioner].actor.display 1..1
* participant[practitioner].actor.display ^short = "Nom du professionnel"
* participant[location].actor 1..1
* participant[location].actor.type 1..1
* participant[location].actor.type = "Location" (exactly)
* participant[location].actor.reference 1..1
* participant[location].actor.reference ^short = "#<id> d'une Location contenue portant l'adresse"
* obeys mes-appt-reason and mes-appt-period and mes-appt-patient-oid and mes-appt-location-address

Profile: MesAppointmentSearchResult
Parent: Bundle
Id: mes-bundle-appointment-searchset
Title: "MES Résultat de recherche de rendez-vous"
Description: "Réponse de l'API Agenda à une recherche de rendez-vous par identifiant du patient (<OID>|<idPe>) et date : un Bundle searchset de rendez-vous MES avec son lien self."
* type = #searchset (exactly)
* link 1..*
* link.relation 1..1
* link.url 1..1
* entry.fullUrl 1..1
* entry.resource 1..1
* entry.resource only MesAppointment
* entry.search 1..1
* entry.search.mode = #match (exactly)
* obeys mes-ss-self-link
