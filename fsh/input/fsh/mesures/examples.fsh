// Examples of the API Mesures. Identifiers use the ISO example OID arc 2.999 so they can never
// collide with a real vendor's OID: 2.999.1.2.3 stands for the OID given at pairing, idPe
// IDPE-7F3A92C4 for the patient's pseudonymous identifier.

RuleSet: ExampleMeasure(mesId, when)
* meta.profile[mesCanonical] = "https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/{mesId}"
* meta.source = "urn:oid:2.999.1.2.3.1"
* status = #final
* subject.identifier.system = "urn:oid:2.999.1.2.3"
* subject.identifier.value = "IDPE-7F3A92C4"
* effectiveDateTime = "{when}"

Instance: ExampleBodyWeight
InstanceOf: MesObservationBodyWeight
Title: "Poids de 72,5 kg pesé le matin"
Usage: #example
* insert ExampleMeasure(mes-observation-bodyweight, 2026-03-14T07:45:00+01:00)
* valueQuantity = 72.5 'kg' "kg"

Instance: ExampleBodyHeight
InstanceOf: MesObservationBodyHeight
Title: "Taille de 176 cm"
Usage: #example
* insert ExampleMeasure(mes-observation-bodyheight, 2026-03-14T07:50:00+01:00)
* valueQuantity = 176 'cm' "cm"

Instance: ExampleBmi
InstanceOf: MesObservationBmi
Title: "IMC de 23,4 kg/m2 calculé par Mon espace santé"
Usage: #example
* insert ExampleMeasure(mes-observation-bmi, 2026-03-14T07:50:00+01:00)
* valueQuantity = 23.4 'kg/m2' "kg/m2"

Instance: ExampleBloodPressure
InstanceOf: MesObservationBloodPressure
Title: "Tension de 128/82 mmHg au tensiomètre"
Usage: #example
* insert ExampleMeasure(mes-observation-bp, 2026-03-15T19:10:00+01:00)
* component[SystolicBP].valueQuantity = 128 'mm[Hg]' "mmHg"
* component[DiastolicBP].valueQuantity = 82 'mm[Hg]' "mmHg"

Instance: ExampleBodyTemperature
InstanceOf: MesObservationBodyTemperature
Title: "Température de 38,2 °C"
Usage: #example
* insert ExampleMeasure(mes-observation-bodytemperature, 2026-02-02T21:30:00+01:00)
* valueQuantity = 38.2 'Cel' "°C"

Instance: ExampleHeartRate
InstanceOf: MesObservationHeartRate
Title: "Fréquence cardiaque de 64 battements par minute au repos"
Usage: #example
* insert ExampleMeasure(mes-observation-heartrate, 2026-03-15T19:10:00+01:00)
* valueQuantity = 64 '/min' "/min"

Instance: ExampleBloodGlucose
InstanceOf: MesObservationGlucose
Title: "Glycémie capillaire à jeun de 96 mg/dL"
Usage: #example
* insert ExampleMeasure(mes-observation-glucose, 2026-03-16T07:05:00+01:00)
* code = $LOINC#2345-7 "Glucose [Mass/volume] in Serum or Plasma"
* code.text = "Glycémie"
* extension[MesMomentOfMeasurement].valueCodeableConcept = $TreA04Loinc#53049-3 "Glucose à jeun"
* valueQuantity = 96 'mg/dL' "mg/dL"

Instance: ExampleHbA1c
InstanceOf: MesObservationGlucose
Title: "Hémoglobine glyquée (HbA1c) de 6,8 %"
Usage: #example
* insert ExampleMeasure(mes-observation-glucose, 2026-03-10T09:00:00+01:00)
* code = $LOINC#4548-4 "Hemoglobin A1c/Hemoglobin.total in Blood"
* code.text = "HbA1c"
* valueQuantity = 6.8 '%' "%"

Instance: ExampleInterstitialGlucoseAverage
InstanceOf: MesObservationGlucose
Title: "Glucose interstitiel moyen de 142 mg/dL sur 14 jours"
Usage: #example
* insert ExampleMeasure(mes-observation-glucose, 2026-03-15T20:00:00+01:00)
* code = $TreR308Taasip#MED-969 "Glucose interstitiel"
* code.text = "Glucose interstitiel moyen"
* extension[MesNumberOfDays].valueCodeableConcept = $TreR308Taasip#GEN-276 "14j"
* valueQuantity = 142 'mg/dL' "mg/dL"

Instance: ExamplePainSeverity
InstanceOf: MesObservationPainSeverity
Title: "Douleur évaluée à 4 sur 10"
Usage: #example
* insert ExampleMeasure(mes-observation-painseverity, 2026-03-12T18:00:00+01:00)
* valueQuantity = 4 '1' "Level"

Instance: ExampleStepsByDay
InstanceOf: MesObservationStepsByDay
Title: "8 432 pas dans la journée"
Usage: #example
* insert ExampleMeasure(mes-observation-stepsbyday, 2026-03-13T23:59:00+01:00)
* valueQuantity = 8432 '1/(24.h)' "steps/day"

Instance: ExampleWaistCircumference
InstanceOf: MesObservationWaistCircumference
Title: "Tour de taille de 86 cm"
Usage: #example
* insert ExampleMeasure(mes-observation-waistcircumference, 2026-03-14T08:00:00+01:00)
* valueQuantity = 86 'cm' "cm"

Instance: ExampleHeadCircumference
InstanceOf: MesObservationHeadCircumference
Title: "Périmètre crânien de 41,5 cm chez un nourrisson"
Usage: #example
* insert ExampleMeasure(mes-observation-headcircumference, 2026-01-20T10:30:00+01:00)
* valueQuantity = 41.5 'cm' "cm"

// A weighing sent by a connected scale: the Observation references the Device of the Bundle.

// Written on Device with every PhdDevice value spelled out (SUSHI cannot mix PhdDevice's named
// identifier slice with the vendor's unsliced identifier without numeric indexes); the tests
// validate it against PhdDevice.
Instance: ExampleWeightScale
InstanceOf: Device
Title: "Pèse-personne connecté (PhdDevice)"
Usage: #inline
* id = "8f1d2a56-3c4b-4e0f-9a7b-2d6c1e5f4a90"
* meta.profile = $PhdDevice
// the vendor's identifier, which the feeding Bundle's ifNoneExist names
* identifier[0].system = "urn:oid:2.999.1.2.3.2"
* identifier[0].value = "BALANCE-00A1B2C3"
// PhdDevice: the IEEE EUI-64 system identifier of the device
* identifier[1].type = $ContinuaDeviceIdentifiers#SYSID
* identifier[1].system = "urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680"
* identifier[1].value = "00-1B-2C-FF-FE-3D-4E-5F"
* type = $ISO11073#65573 "MDC_MOC_VMS_MDS_SIMP"
* specialization.systemType = $ISO11073#528399 "MDC_DEV_SPEC_PROFILE_SCALE"
* specialization.version = "1"
* manufacturer = "Balances Exemple SAS"
* modelNumber = "BX-200"

Instance: ExampleBodyWeightFromScale
InstanceOf: MesObservationBodyWeight
Title: "Poids de 81,3 kg mesuré par le pèse-personne connecté"
Usage: #inline
* id = "6d3f1c2a-9b8e-4f71-8a2c-5e4d3c2b1a09"
* insert ExampleMeasure(mes-observation-bodyweight, 2026-03-18T07:32:00+01:00)
* valueQuantity = 81.3 'kg' "kg"
* device.reference = "Device/8f1d2a56-3c4b-4e0f-9a7b-2d6c1e5f4a90"

Instance: ExampleFeedingBundle
InstanceOf: MesBundleFeeding
Title: "Envoi d'un poids mesuré par un pèse-personne connecté"
Usage: #example
* entry[mes-observation].fullUrl = "urn:uuid:6d3f1c2a-9b8e-4f71-8a2c-5e4d3c2b1a09"
* entry[mes-observation].resource = ExampleBodyWeightFromScale
* entry[mes-observation].request.method = #POST
* entry[mes-observation].request.url = "Observation"
* entry[mes-device].fullUrl = "urn:uuid:8f1d2a56-3c4b-4e0f-9a7b-2d6c1e5f4a90"
* entry[mes-device].resource = ExampleWeightScale
* entry[mes-device].request.method = #POST
* entry[mes-device].request.url = "Device"
* entry[mes-device].request.ifNoneExist = "identifier=urn:oid:2.999.1.2.3.2|BALANCE-00A1B2C3"

Instance: ExampleSearchResult
InstanceOf: MesBundleSearchResult
Title: "Dernier poids du patient, avec son dispositif"
Usage: #example
* total = 1
* link[0].relation = "self"
* link[0].url = "https://api-mesures.example/fhir/Observation?subject.identifier=urn:oid:2.999.1.2.3|IDPE-7F3A92C4&code=29463-7&_sort=-date&_count=1&_include=Observation:device"
* entry[measure].fullUrl = "https://api-mesures.example/fhir/Observation/6d3f1c2a-9b8e-4f71-8a2c-5e4d3c2b1a09"
* entry[measure].resource = ExampleBodyWeightFromScale
* entry[measure].search.mode = #match
* entry[device].fullUrl = "https://api-mesures.example/fhir/Device/8f1d2a56-3c4b-4e0f-9a7b-2d6c1e5f4a90"
* entry[device].resource = ExampleWeightScale
* entry[device].search.mode = #include
