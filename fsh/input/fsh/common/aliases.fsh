// Code systems and canonicals used across the API groups.
Alias: $UCUM = http://unitsofmeasure.org
Alias: $LOINC = http://loinc.org
Alias: $ObsCat = http://terminology.hl7.org/CodeSystem/observation-category
Alias: $ISO11073 = urn:iso:std:iso:11073:10101
Alias: $PhdDevice = http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice
Alias: $MesMoment = https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement
Alias: $MesNumberOfDays = https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days
Alias: $MesReason = https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement
