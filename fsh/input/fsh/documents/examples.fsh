// A teleconsultation report published by an app: a CDA R2 level-1 document (text body) carried
// inline. The attachment (data, size, hash) was made with the builders of @mes-fhir/profiles
// (buildCdaLevel1, documentReference); its CDA header agrees with the metadata below.

Instance: ExampleDocumentReference
InstanceOf: MesDocumentReference
Title: "Compte rendu de téléconsultation publié par une application (CDA R2 niveau 1)"
Usage: #example
* masterIdentifier.system = "urn:ietf:rfc:3986"
* masterIdentifier.value = "urn:oid:2.999.1.2.3.9.1"
* status = #current
* type = $LOINC#11488-4 "Note de consultation"
* category = https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument#10 "Compte rendu"
* subject.identifier.system = "urn:oid:2.999.1.2.3"
* subject.identifier.value = "IDPE-7F3A92C4"
* date = "2026-03-18T10:15:00+01:00"
* author.type = "Device"
* author.identifier.system = "urn:oid:2.999.1.2.3.7"
* author.identifier.value = "APP-SUIVI"
* author.display = "Suivi Santé / Suivi Santé 4.2"
* securityLabel = http://terminology.hl7.org/CodeSystem/v3-Confidentiality#N
* content.attachment.contentType = #text/xml
* content.attachment.language = #fr-FR
* content.attachment.data = "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4KPENsaW5pY2FsRG9jdW1lbnQgeG1sbnM9InVybjpobDctb3JnOnYzIj4KICA8cmVhbG1Db2RlIGNvZGU9IkZSIi8+CiAgPHR5cGVJZCByb290PSIyLjE2Ljg0MC4xLjExMzg4My4xLjMiIGV4dGVuc2lvbj0iUE9DRF9IRDAwMDA0MCIvPgogIDx0ZW1wbGF0ZUlkIHJvb3Q9IjEuMy42LjEuNC4xLjE5Mzc2LjEuMi4yMCIvPgogIDxpZCByb290PSIyLjk5OS4xLjIuMy45LjEiLz4KICA8Y29kZSBjb2RlPSIxMTQ4OC00IiBjb2RlU3lzdGVtPSIyLjE2Ljg0MC4xLjExMzg4My42LjEiIGRpc3BsYXlOYW1lPSJOb3RlIGRlIGNvbnN1bHRhdGlvbiIvPgogIDx0aXRsZT5Db21wdGUgcmVuZHUgZGUgdMOpbMOpY29uc3VsdGF0aW9uIGR1IDE4IG1hcnMgMjAyNjwvdGl0bGU+CiAgPGVmZmVjdGl2ZVRpbWUgdmFsdWU9IjIwMjYwMzE4MTAxNTAwKzAxMDAiLz4KICA8Y29uZmlkZW50aWFsaXR5Q29kZSBjb2RlPSJOIiBjb2RlU3lzdGVtPSIyLjE2Ljg0MC4xLjExMzg4My41LjI1Ii8+CiAgPGxhbmd1YWdlQ29kZSBjb2RlPSJmci1GUiIvPgogIDxzZXRJZCByb290PSIyLjk5OS4xLjIuMy45LjEiLz4KICA8dmVyc2lvbk51bWJlciB2YWx1ZT0iMSIvPgogIDxyZWNvcmRUYXJnZXQ+CiAgICA8cGF0aWVudFJvbGU+CiAgICAgIDxpZCByb290PSIyLjk5OS4xLjIuMyIgZXh0ZW5zaW9uPSJJRFBFLTdGM0E5MkM0Ii8+CiAgICA8L3BhdGllbnRSb2xlPgogIDwvcmVjb3JkVGFyZ2V0PgogIDxhdXRob3I+CiAgICA8dGltZSB2YWx1ZT0iMjAyNjAzMTgxMDE1MDArMDEwMCIvPgogICAgPGFzc2lnbmVkQXV0aG9yPgogICAgICA8aWQgcm9vdD0iMi45OTkuMS4yLjMuNyIgZXh0ZW5zaW9uPSJBUFAtU1VJVkkiLz4KICAgICAgPGFzc2lnbmVkQXV0aG9yaW5nRGV2aWNlPjxtYW51ZmFjdHVyZXJNb2RlbE5hbWU+U3VpdmkgU2FudMOpPC9tYW51ZmFjdHVyZXJNb2RlbE5hbWU+PHNvZnR3YXJlTmFtZT5TdWl2aSBTYW50w6kgNC4yPC9zb2Z0d2FyZU5hbWU+PC9hc3NpZ25lZEF1dGhvcmluZ0RldmljZT4KICAgIDwvYXNzaWduZWRBdXRob3I+CiAgPC9hdXRob3I+CiAgPGN1c3RvZGlhbj4KICAgIDxhc3NpZ25lZEN1c3RvZGlhbj4KICAgICAgPHJlcHJlc2VudGVkQ3VzdG9kaWFuT3JnYW5pemF0aW9uPgogICAgICAgIDxpZCByb290PSIyLjk5OS4xLjIuMyIvPgogICAgICAgIDxuYW1lPsOJZGl0ZXVyIEV4ZW1wbGU8L25hbWU+CiAgICAgIDwvcmVwcmVzZW50ZWRDdXN0b2RpYW5Pcmdhbml6YXRpb24+CiAgICA8L2Fzc2lnbmVkQ3VzdG9kaWFuPgogIDwvY3VzdG9kaWFuPgogIDxjb21wb25lbnQ+CiAgICA8bm9uWE1MQm9keT4KICAgICAgPHRleHQgbWVkaWFUeXBlPSJ0ZXh0L3BsYWluIj5Uw6lsw6ljb25zdWx0YXRpb24gZGUgc3VpdmkgOiB0ZW5zaW9uIHN0YWJsZSwgcGFzIGRlIHNpZ25lIGQmYXBvczthbGVydGUuIFByb2NoYWluIGNvbnRyw7RsZSBkYW5zIHRyb2lzIG1vaXMuPC90ZXh0PgogICAgPC9ub25YTUxCb2R5PgogIDwvY29tcG9uZW50Pgo8L0NsaW5pY2FsRG9jdW1lbnQ+Cg=="
* content.attachment.size = 1546
* content.attachment.hash = "8eh6OrM9pkHcGO/nUznI7rXBE9Y="
* content.attachment.title = "Compte rendu de téléconsultation du 18 mars 2026"
* content.attachment.creation = "2026-03-18T10:15:00+01:00"
* content.format = https://mos.esante.gouv.fr/NOS/TRE_A11-IheFormatCode/FHIR/TRE-A11-IheFormatCode#urn:ihe:iti:xds-sd:text:2008 "Document à corps non structuré en texte brut"

Instance: ExampleDocumentSearchResult
InstanceOf: MesDocumentSearchResult
Title: "Recherche des documents d'un patient (ITI-67), sans résultat"
Usage: #example
* total = 0
* link[0].relation = "self"
* link[0].url = "https://api-documents.example/fhir/DocumentReference?patient.identifier=urn:oid:2.999.1.2.3|IDPE-7F3A92C4&status=current"

// A lot of one document (ITI-65): the same CDA R2 document, carried by a Binary of the Bundle.

Instance: ExampleLotApp
InstanceOf: Device
Title: "L'application qui publie (auteur et source du lot)"
Usage: #inline
* id = "source"
* identifier.system = "urn:oid:2.999.1.2.3.7"
* identifier.value = "APP-SUIVI"
* deviceName.name = "Suivi Santé"
* deviceName.type = #user-friendly-name

Instance: ExampleLotAuthor
InstanceOf: Device
Title: "L'application, auteur du document"
Usage: #inline
* id = "author"
* identifier.system = "urn:oid:2.999.1.2.3.7"
* identifier.value = "APP-SUIVI"
* deviceName.name = "Suivi Santé"
* deviceName.type = #user-friendly-name

Instance: ExampleLotAuthenticator
InstanceOf: Organization
Title: "L'organisation qui authentifie le document"
Usage: #inline
* id = "authenticator"
* identifier.system = "urn:oid:2.999.1.2.3"
* identifier.value = "EDITEUR"
* name = "Éditeur Exemple"

Instance: ExampleLotPatient
InstanceOf: Patient
Title: "Le patient, tel que la source le connaît"
Usage: #inline
* id = "patient"
* identifier.system = "urn:oid:2.999.1.2.3"
* identifier.value = "IDPE-7F3A92C4"

Instance: ExampleLotSubmissionSet
InstanceOf: List
Title: "Lot de soumission"
Usage: #inline
* id = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a51"
* meta.profile = "https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-submissionset-comprehensive"
* contained[0] = ExampleLotApp
* extension[0].url = "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-designationType"
* extension[0].valueCodeableConcept = https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc#11488-4 "Note de consultation"
* extension[1].url = "https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId"
* extension[1].valueIdentifier.value = "urn:oid:2.999.1.2.3.7"
* identifier.use = #usual
* identifier.system = "urn:ietf:rfc:3986"
* identifier.value = "urn:oid:2.999.1.2.3.9.100"
* status = #current
* mode = #working
* code = https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes#submissionset
* subject.identifier.system = "urn:oid:2.999.1.2.3"
* subject.identifier.value = "IDPE-7F3A92C4"
* date = "2026-03-18T10:20:00+01:00"
* source.reference = "#source"
* entry.item.reference = "urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a52"

Instance: ExampleLotDocumentReference
InstanceOf: MesDocumentReferenceComprehensive
Title: "Document du lot"
Usage: #inline
* id = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a52"
* contained[0] = ExampleLotAuthor
* contained[1] = ExampleLotAuthenticator
* contained[2] = ExampleLotPatient
* masterIdentifier.system = "urn:ietf:rfc:3986"
* masterIdentifier.value = "urn:oid:2.999.1.2.3.9.1"
* status = #current
* type = $LOINC#11488-4 "Note de consultation"
* category = https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument#10 "Compte rendu"
* subject.identifier.system = "urn:oid:2.999.1.2.3"
* subject.identifier.value = "IDPE-7F3A92C4"
* date = "2026-03-18T10:15:00+01:00"
* author.reference = "#author"
* authenticator.reference = "#authenticator"
* securityLabel = http://terminology.hl7.org/CodeSystem/v3-Confidentiality#N
* content.attachment.contentType = #text/xml
* content.attachment.language = #fr-FR
* content.attachment.url = "urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a53"
* content.attachment.size = 1546
* content.attachment.hash = "8eh6OrM9pkHcGO/nUznI7rXBE9Y="
* content.attachment.title = "Compte rendu de téléconsultation du 18 mars 2026"
* content.attachment.creation = "2026-03-18T10:15:00+01:00"
* content.format = https://mos.esante.gouv.fr/NOS/TRE_A11-IheFormatCode/FHIR/TRE-A11-IheFormatCode#urn:ihe:iti:xds-sd:text:2008 "Document à corps non structuré en texte brut"
* context.period.start = "2026-03-18T10:15:00+01:00"
* context.facilityType = https://mos.esante.gouv.fr/NOS/TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS#PATIENT "Patient"
* context.practiceSetting = https://mos.esante.gouv.fr/NOS/TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS#PATIENT "Patient"
* context.sourcePatientInfo.reference = "#patient"

Instance: ExampleLotBinary
InstanceOf: Binary
Title: "Le CDA R2 du document"
Usage: #inline
* id = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a53"
* contentType = #text/xml
* data = "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4KPENsaW5pY2FsRG9jdW1lbnQgeG1sbnM9InVybjpobDctb3JnOnYzIj4KICA8cmVhbG1Db2RlIGNvZGU9IkZSIi8+CiAgPHR5cGVJZCByb290PSIyLjE2Ljg0MC4xLjExMzg4My4xLjMiIGV4dGVuc2lvbj0iUE9DRF9IRDAwMDA0MCIvPgogIDx0ZW1wbGF0ZUlkIHJvb3Q9IjEuMy42LjEuNC4xLjE5Mzc2LjEuMi4yMCIvPgogIDxpZCByb290PSIyLjk5OS4xLjIuMy45LjEiLz4KICA8Y29kZSBjb2RlPSIxMTQ4OC00IiBjb2RlU3lzdGVtPSIyLjE2Ljg0MC4xLjExMzg4My42LjEiIGRpc3BsYXlOYW1lPSJOb3RlIGRlIGNvbnN1bHRhdGlvbiIvPgogIDx0aXRsZT5Db21wdGUgcmVuZHUgZGUgdMOpbMOpY29uc3VsdGF0aW9uIGR1IDE4IG1hcnMgMjAyNjwvdGl0bGU+CiAgPGVmZmVjdGl2ZVRpbWUgdmFsdWU9IjIwMjYwMzE4MTAxNTAwKzAxMDAiLz4KICA8Y29uZmlkZW50aWFsaXR5Q29kZSBjb2RlPSJOIiBjb2RlU3lzdGVtPSIyLjE2Ljg0MC4xLjExMzg4My41LjI1Ii8+CiAgPGxhbmd1YWdlQ29kZSBjb2RlPSJmci1GUiIvPgogIDxzZXRJZCByb290PSIyLjk5OS4xLjIuMy45LjEiLz4KICA8dmVyc2lvbk51bWJlciB2YWx1ZT0iMSIvPgogIDxyZWNvcmRUYXJnZXQ+CiAgICA8cGF0aWVudFJvbGU+CiAgICAgIDxpZCByb290PSIyLjk5OS4xLjIuMyIgZXh0ZW5zaW9uPSJJRFBFLTdGM0E5MkM0Ii8+CiAgICA8L3BhdGllbnRSb2xlPgogIDwvcmVjb3JkVGFyZ2V0PgogIDxhdXRob3I+CiAgICA8dGltZSB2YWx1ZT0iMjAyNjAzMTgxMDE1MDArMDEwMCIvPgogICAgPGFzc2lnbmVkQXV0aG9yPgogICAgICA8aWQgcm9vdD0iMi45OTkuMS4yLjMuNyIgZXh0ZW5zaW9uPSJBUFAtU1VJVkkiLz4KICAgICAgPGFzc2lnbmVkQXV0aG9yaW5nRGV2aWNlPjxtYW51ZmFjdHVyZXJNb2RlbE5hbWU+U3VpdmkgU2FudMOpPC9tYW51ZmFjdHVyZXJNb2RlbE5hbWU+PHNvZnR3YXJlTmFtZT5TdWl2aSBTYW50w6kgNC4yPC9zb2Z0d2FyZU5hbWU+PC9hc3NpZ25lZEF1dGhvcmluZ0RldmljZT4KICAgIDwvYXNzaWduZWRBdXRob3I+CiAgPC9hdXRob3I+CiAgPGN1c3RvZGlhbj4KICAgIDxhc3NpZ25lZEN1c3RvZGlhbj4KICAgICAgPHJlcHJlc2VudGVkQ3VzdG9kaWFuT3JnYW5pemF0aW9uPgogICAgICAgIDxpZCByb290PSIyLjk5OS4xLjIuMyIvPgogICAgICAgIDxuYW1lPsOJZGl0ZXVyIEV4ZW1wbGU8L25hbWU+CiAgICAgIDwvcmVwcmVzZW50ZWRDdXN0b2RpYW5Pcmdhbml6YXRpb24+CiAgICA8L2Fzc2lnbmVkQ3VzdG9kaWFuPgogIDwvY3VzdG9kaWFuPgogIDxjb21wb25lbnQ+CiAgICA8bm9uWE1MQm9keT4KICAgICAgPHRleHQgbWVkaWFUeXBlPSJ0ZXh0L3BsYWluIj5Uw6lsw6ljb25zdWx0YXRpb24gZGUgc3VpdmkgOiB0ZW5zaW9uIHN0YWJsZSwgcGFzIGRlIHNpZ25lIGQmYXBvczthbGVydGUuIFByb2NoYWluIGNvbnRyw7RsZSBkYW5zIHRyb2lzIG1vaXMuPC90ZXh0PgogICAgPC9ub25YTUxCb2R5PgogIDwvY29tcG9uZW50Pgo8L0NsaW5pY2FsRG9jdW1lbnQ+Cg=="

Instance: ExampleProvideDocumentBundle
InstanceOf: MesProvideDocumentBundle
Title: "Publication d'un lot d'un document (ITI-65)"
Usage: #example
* type = #transaction
* entry[SubmissionSet].fullUrl = "urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a51"
* entry[SubmissionSet].resource = ExampleLotSubmissionSet
* entry[SubmissionSet].request.method = #POST
* entry[SubmissionSet].request.url = "List"
* entry[DocumentRefs].fullUrl = "urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a52"
* entry[DocumentRefs].resource = ExampleLotDocumentReference
* entry[DocumentRefs].request.method = #POST
* entry[DocumentRefs].request.url = "DocumentReference"
* entry[Documents].fullUrl = "urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a53"
* entry[Documents].resource = ExampleLotBinary
* entry[Documents].request.method = #POST
* entry[Documents].request.url = "Binary"
