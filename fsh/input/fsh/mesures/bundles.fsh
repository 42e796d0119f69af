// Bundles of the API Mesures: what an app POSTs (feeding) and what a search returns.

Profile: MesBundleFeeding
// Parent is Bundle, not the ANS mesures-bundle-flux-alimentation: in ANS 3.2.0 that profile
// limits the Observation entry to a list of profiles without glycaemia, which MES accepts.
// Its entry slicing (pattern on request.url) is repeated here.
Parent: Bundle
Id: mes-bundle-feeding
Title: "MES Bundle d'alimentation"
Description: """
Bundle transaction qu'une application envoie (POST) à l'API Mesures : exactement une Observation
(mesure MES, jamais un IMC) créée par POST Observation avec fullUrl, et au plus un dispositif
PhdDevice créé conditionnellement (POST Device avec ifNoneExist = identifier=urn:oid:<OID>|<id>).
Quand un dispositif est présent, Observation.device.reference vaut Device/<Device.id>.
Reprend le découpage du Bundle d'alimentation de l'ANS (mesures-bundle-flux-alimentation), dont
la version 3.2.0 n'autorise pas la glycémie.
"""
* type = #transaction (exactly)
* entry 1..2
* entry ^slicing.discriminator.type = #pattern
* entry ^slicing.discriminator.path = "request.url"
* entry ^slicing.rules = #closed
* entry ^slicing.description = "Une Observation (POST Observation) et au plus un Device (POST Device)"
* entry contains mes-observation 1..1 and mes-device 0..1
* entry[mes-observation].fullUrl 1..1
* entry[mes-observation].resource 1..1
* entry[mes-observation].resource only MesObservationBodyWeight or MesObservationBodyHeight or MesObservationBloodPressure or MesObservationBodyTemperature or MesObservationHeartRate or MesObservationGlucose or MesObservationPainSeverity or MesObservationStepsByDay or MesObservationWaistCircumference or MesObservationHeadCircumference
* entry[mes-observation].request 1..1
* entry[mes-observation].request.method = #POST
* entry[mes-observation].request.url = "Observation"
* entry[mes-device].fullUrl 1..1
* entry[mes-device].resource 1..1
* entry[mes-device].resource only $PhdDevice
* entry[mes-device].request 1..1
* entry[mes-device].request.method = #POST
* entry[mes-device].request.url = "Device"
* entry[mes-device].request.ifNoneExist 1..1
* obeys mes-fb-no-bmi and mes-fb-device-ref and mes-fb-device-link and mes-fb-if-none-exist and mes-fb-device-profile

Invariant: mes-fb-no-bmi
Description: "Un IMC ne peut pas être créé : Mon espace santé le calcule (Bmi observation cannot be created)."
Expression: "entry.resource.ofType(Observation).where(code.coding.where(system = 'http://loinc.org' and code = '39156-5').exists()).empty()"
Severity: #error

Invariant: mes-fb-device-ref
Description: "Quand le Bundle contient un Device, Observation.device.reference est obligatoire (Observation.device.reference is mandatory)."
Expression: "entry.resource.ofType(Device).exists() implies entry.resource.ofType(Observation).device.reference.exists()"
Severity: #error

Invariant: mes-fb-device-link
Description: "Observation.device.reference vaut Device/<id du Device du Bundle> (Observation and device not linked by id)."
Expression: "entry.resource.ofType(Device).exists() implies (entry.resource.ofType(Observation).device.reference = 'Device/' + entry.resource.ofType(Device).id)"
Severity: #error

Invariant: mes-fb-if-none-exist
Description: "La création du Device est conditionnelle : request.ifNoneExist = identifier=urn:oid:<OID>|<identifiant du dispositif> (Device request must have a valid IfNoneExist attribute)."
Expression: "entry.where(resource is Device).all(request.ifNoneExist.matches('^identifier=urn:oid:[0-2]([.](0|[1-9][0-9]*))+[|].+$'))"
Severity: #error

Invariant: mes-fb-device-profile
Description: "Le Device déclare le profil PhdDevice dans meta.profile (Device must provide meta.profile value)."
Expression: "entry.resource.ofType(Device).all(meta.profile contains 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice')"
Severity: #error

Profile: MesBundleSearchResult
Parent: Bundle
Id: mes-bundle-searchset
Title: "MES Résultat de recherche de mesures"
Description: """
Réponse de l'API Mesures à GET Observation?subject.identifier=<OID>|<idPe>&code=<LOINC>… : un Bundle
searchset avec ses liens de pagination (self, et previous/next selon la page), les mesures trouvées
(search.mode = match) et, avec _include=Observation:device, les dispositifs associés
(search.mode = include), chacun une seule fois.
"""
* type = #searchset (exactly)
* link 1..*
* link.relation 1..1
* link.url 1..1
* entry ^slicing.discriminator.type = #value
* entry ^slicing.discriminator.path = "search.mode"
* entry ^slicing.rules = #closed
* entry ^slicing.description = "Mesures trouvées (match) et dispositifs inclus (include)"
* entry contains measure 0..* and device 0..*
* entry[measure].fullUrl 1..1
* entry[measure].resource 1..1
* entry[measure].resource only MesObservationBodyWeight or MesObservationBodyHeight or MesObservationBmi or MesObservationBloodPressure or MesObservationBodyTemperature or MesObservationHeartRate or MesObservationGlucose or MesObservationPainSeverity or MesObservationStepsByDay or MesObservationWaistCircumference or MesObservationHeadCircumference
* entry[measure].search 1..1
* entry[measure].search.mode 1..1
* entry[measure].search.mode = #match (exactly)
* entry[device].fullUrl 1..1
* entry[device].resource 1..1
* entry[device].resource only Device
* entry[device].search 1..1
* entry[device].search.mode 1..1
* entry[device].search.mode = #include (exactly)
* obeys mes-ss-self-link and mes-ss-device-once

Invariant: mes-ss-self-link
Description: "Le Bundle de recherche porte un lien self."
Expression: "link.where(relation = 'self').count() = 1"
Severity: #error

Invariant: mes-ss-device-once
Description: "Chaque dispositif inclus n'apparaît qu'une fois."
Expression: "entry.resource.ofType(Device).id.isDistinct()"
Severity: #error
