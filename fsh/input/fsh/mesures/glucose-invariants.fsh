// MES business rules for glycaemia: the kind of glycaemia (Observation.code) decides the unit
// and which of the two ANS extensions (moment of measurement, number of days) are allowed.

Invariant: mes-glu-kind
Description: "Le code est l'un des quatre types de glycémie acceptés par MES : LOINC 2345-7 (glucose sanguin), LOINC 4548-4 (HbA1c), et dans la TRE_R308-TAASIP du NOS MED-969 (glucose interstitiel moyen), MED-972 (indice de gestion de la glycémie)."
Expression: "code.coding.where((system = 'http://loinc.org' and (code = '2345-7' or code = '4548-4')) or (system = 'https://mos.esante.gouv.fr/NOS/TRE_R308-TAASIP/FHIR/TRE-R308-TAASIP' and (code = 'MED-969' or code = 'MED-972'))).exists()"
Severity: #error

Invariant: mes-glu-unit
Description: "Unité selon le type : mg/dL pour 2345-7 et MED-969, % pour 4548-4 et MED-972."
Expression: "(code.coding.where(code = '2345-7' or code = 'MED-969').exists() implies value.ofType(Quantity).code = 'mg/dL') and (code.coding.where(code = '4548-4' or code = 'MED-972').exists() implies value.ofType(Quantity).code = '%')"
Severity: #error

Invariant: mes-glu-moment
Description: "Le moment de la mesure (extension mesures-moment-of-measurement) est obligatoire pour le glucose sanguin (2345-7) et interdit pour les autres types (Observation.extension.moment is mandatory)."
Expression: "iif(code.coding.where(system = 'http://loinc.org' and code = '2345-7').exists(), extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement').exists(), extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement').empty())"
Severity: #error

Invariant: mes-glu-days
Description: "Le nombre de jours (extension mesures-number-of-days) est obligatoire pour MED-969 et MED-972 et interdit pour les autres types (Observation.extension.numberOfDays cannot be added)."
Expression: "iif(code.coding.where(code = 'MED-969' or code = 'MED-972').exists(), extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days').exists(), extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days').empty())"
Severity: #error
