// The 11 measures of the MES API Mesures. Each profile constrains the matching ANS
// "Mesures de santé" profile with what MES requires (see common/rulesets.fsh) and fixes the UCUM
// unit MES expects.

Profile: MesObservationBodyWeight
Parent: mesures-fr-observation-body-weight
Id: mes-observation-bodyweight
Title: "MES Poids"
Description: "Poids corporel (LOINC 29463-7) tel que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire en kg."
* insert MesMeasure(mes-observation-bodyweight)
* insert MesQuantityValue
* valueQuantity.code = #kg (exactly)

Profile: MesObservationBodyHeight
Parent: mesures-fr-observation-bodyheight
Id: mes-observation-bodyheight
Title: "MES Taille"
Description: "Taille (LOINC 8302-2) telle que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire en cm."
* insert MesMeasure(mes-observation-bodyheight)
* insert MesQuantityValue
* valueQuantity.code = #cm (exactly)

Profile: MesObservationBmi
Parent: mesures-fr-observation-bmi
Id: mes-observation-bmi
Title: "MES IMC"
Description: "Indice de masse corporelle (LOINC 39156-5) en kg/m2. Lecture seule : Mon espace santé calcule l'IMC à partir du poids et de la taille et refuse sa création par une application (erreur 422 « Bmi observation cannot be created ») ; ce profil décrit les IMC renvoyés par la recherche."
* insert MesMeasure(mes-observation-bmi)
* insert MesQuantityValue
* valueQuantity.code = #kg/m2 (exactly)

Profile: MesObservationBloodPressure
Parent: mesures-fr-observation-bp
Id: mes-observation-bp
Title: "MES Pression artérielle"
Description: "Pression artérielle (LOINC 85354-9) : composantes systolique (8480-6) et diastolique (8462-4) obligatoires en mm[Hg], pas de value[x]."
* insert MesMeasure(mes-observation-bp)
* value[x] 0..0
* component[SystolicBP] 1..1
* component[SystolicBP].value[x] 1..1
* component[SystolicBP].value[x] only Quantity
* component[SystolicBP].valueQuantity.value 1..1
* component[DiastolicBP] 1..1
* component[DiastolicBP].value[x] 1..1
* component[DiastolicBP].value[x] only Quantity
* component[DiastolicBP].valueQuantity.value 1..1

Profile: MesObservationBodyTemperature
Parent: mesures-fr-observation-body-temperature
Id: mes-observation-bodytemperature
Title: "MES Température"
Description: "Température corporelle (LOINC 8310-5) telle que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire en degrés Celsius (Cel)."
* insert MesMeasure(mes-observation-bodytemperature)
* insert MesQuantityValue
* valueQuantity.code = #Cel (exactly)

Profile: MesObservationHeartRate
Parent: mesures-fr-observation-heartrate
Id: mes-observation-heartrate
Title: "MES Fréquence cardiaque"
Description: "Fréquence cardiaque (LOINC 8867-4) telle que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire en battements par minute (/min)."
* insert MesMeasure(mes-observation-heartrate)
* insert MesQuantityValue
* valueQuantity.code = #/min (exactly)

Profile: MesObservationGlucose
Parent: mesures-observation-glucose
Id: mes-observation-glucose
Title: "MES Glycémie"
Description: """
Glycémie telle que l'API Mesures de Mon espace santé l'accepte. Quatre types, chacun avec son unité et ses extensions :
glucose sanguin (LOINC 2345-7, mg/dL, moment de la mesure obligatoire), HbA1c (LOINC 4548-4, %),
glucose interstitiel moyen (MED-969, mg/dL, nombre de jours obligatoire) et indice de gestion de la glycémie (MED-972, %, nombre de jours obligatoire).
"""
* insert MesMeasure(mes-observation-glucose)
* code.coding 1..*
* insert MesQuantityValue
* obeys mes-glu-kind and mes-glu-unit and mes-glu-moment and mes-glu-moment-other and mes-glu-days and mes-glu-days-required

Profile: MesObservationPainSeverity
Parent: mesures-observation-pain-severity
Id: mes-observation-painseverity
Title: "MES Niveau de douleur"
Description: "Niveau de douleur (LOINC 72514-3) tel que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire, unité UCUM 1 (libellé Level)."
* insert MesMeasure(mes-observation-painseverity)
* insert MesQuantityValue
* valueQuantity.code = #1 (exactly)

Profile: MesObservationStepsByDay
Parent: mesures-observation-steps-by-day
Id: mes-observation-stepsbyday
Title: "MES Nombre de pas par jour"
Description: "Nombre de pas par jour (LOINC 41950-7) tel que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire, unité UCUM 1/(24.h) (libellé steps/day)."
* insert MesMeasure(mes-observation-stepsbyday)
* insert MesQuantityValue
* valueQuantity.code = #1/(24.h) (exactly)

Profile: MesObservationWaistCircumference
Parent: mesures-observation-waist-circumference
Id: mes-observation-waistcircumference
Title: "MES Tour de taille"
Description: "Tour de taille (LOINC 8280-0) tel que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire en cm."
* insert MesMeasure(mes-observation-waistcircumference)
* insert MesQuantityValue
* valueQuantity.code = #cm (exactly)

Profile: MesObservationHeadCircumference
Parent: mesures-observation-head-circumference
Id: mes-observation-headcircumference
Title: "MES Périmètre crânien"
Description: "Périmètre crânien (LOINC 8287-5) tel que l'API Mesures de Mon espace santé l'accepte : valeur obligatoire en cm."
* insert MesMeasure(mes-observation-headcircumference)
* insert MesQuantityValue
* valueQuantity.code = #cm (exactly)
