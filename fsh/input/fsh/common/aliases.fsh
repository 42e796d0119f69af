// Code systems and canonicals used across the API groups.
Alias: $UCUM = http://unitsofmeasure.org
Alias: $LOINC = http://loinc.org
Alias: $ObsCat = http://terminology.hl7.org/CodeSystem/observation-category
Alias: $ISO11073 = urn:iso:std:iso:11073:10101
Alias: $PhdDevice = http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice
Alias: $ContinuaDeviceIdentifiers = http://hl7.org/fhir/uv/phd/CodeSystem/ContinuaDeviceIdentifiers
Alias: $MesMoment = https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement
Alias: $MesNumberOfDays = https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days
Alias: $MesReason = https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement
// NOS terminologies (ANS) whose codes the glycaemia value sets list.
Alias: $TreA04Loinc = https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc
Alias: $TreR313Cisp2 = https://mos.esante.gouv.fr/NOS/TRE_R313-CISP2/FHIR/TRE-R313-CISP2
Alias: $TreR308Taasip = https://mos.esante.gouv.fr/NOS/TRE_R308-TAASIP/FHIR/TRE-R308-TAASIP
