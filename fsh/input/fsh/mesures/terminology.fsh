// Codes for the glycaemia extensions. MES binds them to the NOS value sets JDV_J157
// (moment) and JDV_J164 (number of days), which are not available offline (ans.fr.nos is not in
// the package mirror). These code systems carry the same meanings so that examples and builders
// can be written and checked today; they do not replace the NOS bindings of the ANS profiles.

CodeSystem: MesGlucoseMomentCS
Id: mes-glucose-moment
Title: "Moment de la mesure de glycémie (codes de travail)"
Description: "Moments de mesure de la glycémie reconnus par MES (à jeun, après un repas, après un effort, pendant un malaise, autre). Codes de travail en attendant le JDV NOS J157 hors ligne."
* ^caseSensitive = true
* ^experimental = true
* #fasting "À jeun"
* #after-meal "Après un repas"
* #after-exercise "Après un effort"
* #malaise "Pendant un malaise"
* #other "Autre"

ValueSet: MesGlucoseMomentVS
Id: mes-glucose-moment
Title: "Moment de la mesure de glycémie"
Description: "Tous les codes de MesGlucoseMomentCS."
* ^experimental = true
* include codes from system MesGlucoseMomentCS

CodeSystem: MesGlucoseNumberOfDaysCS
Id: mes-glucose-number-of-days
Title: "Nombre de jours d'une moyenne glycémique (codes de travail)"
Description: "Périodes sur lesquelles MES accepte une moyenne de glucose interstitiel ou un indice de gestion de la glycémie. Codes de travail en attendant le JDV NOS J164 hors ligne."
* ^caseSensitive = true
* ^experimental = true
* #7 "7 jours"
* #14 "14 jours"
* #30 "30 jours"
* #90 "90 jours"
* #other "Autre"

ValueSet: MesGlucoseNumberOfDaysVS
Id: mes-glucose-number-of-days
Title: "Nombre de jours d'une moyenne glycémique"
Description: "Tous les codes de MesGlucoseNumberOfDaysCS."
* ^experimental = true
* include codes from system MesGlucoseNumberOfDaysCS
