// The NOS value sets that the ANS glucose profile and its extensions bind with required strength
// (moment of measurement: JDV_J157; number of days: JDV_J164), restated here in the versions MES
// validates against (J157 20220429120000, J164 20220128120000; see ../shared/mes-api-facts.md).
// The NOS package built by codegen (mes-fhir.nos, generated/nos) holds the later versions of the
// ANS's SVS files, which changed these lists: J157 of 20240927 has "lors d'un malaise" as TAASIP
// MED-1278 instead of CISP-2 A05, J164 of 20241213 has GEN-092.08.05 instead of GEN-092. Our
// definitions are loaded before mes-fhir.nos, so these versions answer for the unversioned
// canonical (the one the ANS profile binds); the NOS versions stay reachable as `url|version`.
// Codes are checked by value set membership (system and code), as MES checks them.

ValueSet: JdvJ157MomentGlucoseEns
Id: JDV-J157-MomentGlucose-ENS
Title: "JDV_J157-MomentGlucose-ENS (reprise hors ligne)"
Description: "Moments de mesure de la glycémie (extension mesures-moment-of-measurement). Reprend à l'identique le jeu de valeurs NOS JDV_J157-MomentGlucose-ENS, version 20220429120000, publié par l'ANS : mêmes canonique, version, systèmes et codes. Les codes LOINC y sont listés sous le système NOS TRE_A04-Loinc, et « lors d'un malaise » sous la CISP-2 (TRE_R313)."
* ^url = "https://mos.esante.gouv.fr/NOS/JDV_J157-MomentGlucose-ENS/FHIR/JDV-J157-MomentGlucose-ENS"
* ^version = "20220429120000"
* ^status = #active
* ^experimental = false
* ^publisher = "ANS (reprise hors ligne par mes-fhir)"
* $TreA04Loinc#53049-3 "Glucose à jeun"
* $TreA04Loinc#16915-1 "Glucose post prandial"
* $TreA04Loinc#88365-2 "Avant repas"
* $TreA04Loinc#LA11865-5 "Après exercice"
* $TreA04Loinc#LA46-8 "Autre"
* $TreR313Cisp2#A05 "Lors d'un malaise"

ValueSet: JdvJ164GlucoseNumberOfDaysEns
Id: JDV-J164-GlucoseNumberOfDays-ENS
Title: "JDV_J164-GlucoseNumberOfDays-ENS (reprise hors ligne)"
Description: "Nombre de jours d'une moyenne glycémique (extension mesures-number-of-days). Reprend à l'identique le jeu de valeurs NOS JDV_J164-GlucoseNumberOfDays-ENS, version 20220128120000, publié par l'ANS : codes de la TRE_R308-TAASIP."
* ^url = "https://mos.esante.gouv.fr/NOS/JDV_J164-GlucoseNumberOfDays-ENS/FHIR/JDV-J164-GlucoseNumberOfDays-ENS"
* ^version = "20220128120000"
* ^status = #active
* ^experimental = false
* ^publisher = "ANS (reprise hors ligne par mes-fhir)"
* $TreR308Taasip#GEN-275 "7j"
* $TreR308Taasip#GEN-276 "14j"
* $TreR308Taasip#GEN-277 "30j"
* $TreR308Taasip#GEN-278 "90j"
* $TreR308Taasip#GEN-092 "Autre"
