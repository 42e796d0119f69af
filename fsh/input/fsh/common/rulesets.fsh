// What Mon espace santé requires of every measure (API Mesures): its own canonical in
// meta.profile, status, coded category and code, a subject identified by <OID>|<idPe>, and an
// effective date-time.
RuleSet: MesMeasure(mesId)
* meta 1..1
* meta.profile 1..*
* meta.profile ^slicing.discriminator.type = #value
* meta.profile ^slicing.discriminator.path = "$this"
* meta.profile ^slicing.rules = #open
* meta.profile contains mesCanonical 1..1
* meta.profile[mesCanonical] = "https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/{mesId}" (exactly)
* meta.profile[mesCanonical] ^short = "Profil MES : https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/{mesId}"
* obeys mes-source-oid and mes-subject-oid
* status 1..1
* category 1..*
* category.coding 1..*
* category.coding.system 1..1
* category.coding.code 1..1
* code.coding.system 1..1
* code.coding.code 1..1
* subject 1..1
* subject.identifier 1..1
* subject.identifier ^short = "Identifiant du patient : <OID d'appariement>|<idPe>"
* subject.identifier.system 1..1
* subject.identifier.value 1..1
* effective[x] only dateTime
* effective[x] 1..1

// A single quantitative result in UCUM (every measure but blood pressure).
RuleSet: MesQuantityValue
* value[x] 1..1
* value[x] only Quantity
* valueQuantity.value 1..1
* valueQuantity.unit 1..1
* valueQuantity.system 1..1
* valueQuantity.system = $UCUM (exactly)
* valueQuantity.code 1..1
