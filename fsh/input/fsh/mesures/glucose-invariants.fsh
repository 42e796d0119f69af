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

// Each extension has two rules, one per side, so that each failure carries the words MES answers
// for that side (a missing moment is "mandatory", an extra number of days "cannot be added").

Invariant: mes-glu-moment
Description: "Le moment de la mesure (extension mesures-moment-of-measurement) est obligatoire pour le glucose sanguin (2345-7) (Observation.extension.moment is mandatory)."
Expression: "code.coding.where(system = 'http://loinc.org' and code = '2345-7').exists() implies extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement').exists()"
Severity: #error

Invariant: mes-glu-moment-other
Description: "Le moment de la mesure (extension mesures-moment-of-measurement) est interdit pour les types de glycémie autres que le glucose sanguin (2345-7) (Observation.extension.moment cannot be added)."
Expression: "code.coding.where(system = 'http://loinc.org' and code = '2345-7').empty() implies extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-moment-of-measurement').empty()"
Severity: #error

Invariant: mes-glu-days
Description: "Le nombre de jours (extension mesures-number-of-days) est interdit pour les types autres que MED-969 et MED-972 (Observation.extension.numberOfDays cannot be added)."
Expression: "code.coding.where(code = 'MED-969' or code = 'MED-972').empty() implies extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days').empty()"
Severity: #error

Invariant: mes-glu-days-required
Description: "Le nombre de jours (extension mesures-number-of-days) est obligatoire pour MED-969 et MED-972 (Observation.extension.numberOfDays is mandatory)."
Expression: "code.coding.where(code = 'MED-969' or code = 'MED-972').exists() implies extension.where(url = 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-number-of-days').exists()"
Severity: #error
