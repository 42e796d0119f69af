// API Documents: what an app does with documents in Mon espace santé, on the CI-SIS PDSm guide
// (IHE MHD adapted to France). What the MES facts state is constrained: the document is a CDA R2
// (level 1 or 3) sent inline, and the patient is identified as after pairing. Rules of MES that
// are not published (its own canonicals, accepted document types) are not invented: the profile
// descriptions say so.

Alias: $PdsmSimplifiedPublish = https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-simplified-publish
Alias: $PdsmFindDocumentReferencesResponse = https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-find-documentreferences-comprehensive-response

RuleSet: MesDocumentPatient
* subject 1..1
* subject.identifier 1..1
* subject.identifier ^short = "Identifiant du patient : <OID d'appariement>|<idPe>"
* subject.identifier.system 1..1
* subject.identifier.value 1..1
* obeys mes-subject-oid

Profile: MesDocumentReference
Parent: $PdsmSimplifiedPublish
Id: mes-documentreference
Title: "MES Document publié"
Description: """
Un document qu'une application publie dans Mon espace santé (publication simplifiée PDSm, transaction
ITI-105) : la ressource DocumentReference porte le document lui-même, un CDA R2 de niveau 1 (corps non
structuré, par exemple un PDF) ou de niveau 3 (corps structuré), encodé en base64 dans
`content.attachment.data`, avec sa taille et son empreinte SHA-1. Le patient est identifié comme après
l'appariement (`subject.identifier` : l'OID d'appariement et l'idPe). Les métadonnées (type, date de création, patient)
doivent concorder avec l'en-tête du CDA, et le format (`content.format`) avec son corps : le
validateur de mes-fhir le vérifie, ainsi que l'empreinte SHA-1.
Non publié par MES, donc non contraint ici : un canonique MES à déclarer dans `meta.profile`, la liste
des types de documents acceptés, la taille maximale.
"""
* insert MesDocumentPatient
* content 1..1
* content.attachment.contentType = #text/xml (exactly)
* content.attachment.contentType ^short = "text/xml : un document CDA R2"
* content.attachment.data 1..1
* content.attachment.size 1..1
* content.attachment.hash 1..1
* content.attachment.creation 1..1
* content.format 1..1
* content.format.system 1..1
* content.format.code 1..1
* type 1..1
* type.coding 1..*
* obeys mes-doc-size

Invariant: mes-doc-size
Description: "content.attachment.size est la taille en octets du document porté par content.attachment.data (base64)."
Expression: "content.attachment.all(data.exists() implies size = ((data.length() div 4) * 3 - iif(data.endsWith('=='), 2, iif(data.endsWith('='), 1, 0))))"
Severity: #error

Profile: MesDocumentSearchResult
Parent: $PdsmFindDocumentReferencesResponse
Id: mes-bundle-document-searchset
Title: "MES Résultat de recherche de documents"
Description: """
Réponse à la recherche de documents (PDSm, transaction ITI-67 : `GET DocumentReference?patient.identifier=…`) :
un Bundle searchset de DocumentReference conformes au profil complet de PDSm, dont chaque
`content.attachment.url` permet de récupérer le document (transaction ITI-68). MES n'a pas publié de
règle propre à cette réponse : le profil reprend celles de PDSm.
"""
* type = #searchset (exactly)

Alias: $PdsmComprehensiveDocumentReference = https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-document-reference
Alias: $PdsmProvideDocumentBundle = https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle

Profile: MesDocumentReferenceComprehensive
Parent: $PdsmComprehensiveDocumentReference
Id: mes-documentreference-comprehensive
Title: "MES Document d'un lot"
Description: """
Un document d'un lot publié dans Mon espace santé (PDSm, transaction ITI-65) : la DocumentReference
décrit un CDA R2 (niveau 1 ou 3) que le Bundle porte dans une ressource Binary, désignée par
`content.attachment.url` ; taille et empreinte SHA-1 sont celles de ce document. Le patient est
identifié comme après l'appariement. Non publié par MES, donc non contraint ici : un canonique MES,
la liste des types de documents acceptés.
"""
* insert MesDocumentPatient
* content 1..1
* content.attachment.contentType = #text/xml (exactly)
* content.attachment.contentType ^short = "text/xml : un document CDA R2"
* content.attachment.url 1..1
* content.attachment.url ^short = "fullUrl de la ressource Binary du Bundle qui porte le CDA"
* content.attachment.creation 1..1
* content.format 1..1
* content.format.system 1..1
* content.format.code 1..1
* type 1..1

Profile: MesProvideDocumentBundle
Parent: $PdsmProvideDocumentBundle
Id: mes-bundle-provide-document
Title: "MES Lot de documents"
Description: """
Le Bundle transaction qu'une application envoie pour publier un lot de documents (PDSm, transaction
ITI-65) : un lot de soumission (List SubmissionSet), une DocumentReference par document et, pour
chacune, la ressource Binary qui porte le CDA R2, désignée par `content.attachment.url`. Le validateur
de mes-fhir vérifie chaque CDA contre sa DocumentReference (type, patient, date, format, taille,
empreinte).
"""
* entry[DocumentRefs].resource only MesDocumentReferenceComprehensive
* obeys mes-pdb-binary

Invariant: mes-pdb-binary
Description: "Chaque document (content.attachment.url d'une DocumentReference) est une ressource Binary du Bundle, désignée par son fullUrl."
Expression: "entry.resource.ofType(DocumentReference).content.attachment.url.all($this in %resource.entry.where(resource is Binary).fullUrl)"
Severity: #error
