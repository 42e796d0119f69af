// Rules shared by every MES resource. Regular expressions avoid backslashes ([.] for a dot)
// because FHIRPath string literals do not accept "\." as an escape.

Invariant: mes-source-oid
Description: "meta.source, s'il est renseigné, a la forme urn:oid:<OID> (OID racine de l'éditeur)."
Expression: "meta.source.empty() or meta.source.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')"
Severity: #error

Invariant: mes-subject-oid
Description: "subject.identifier.system est l'OID attribué à l'application lors de l'appariement, sous la forme urn:oid:<OID>."
Expression: "subject.identifier.system.matches('^urn:oid:[0-2]([.](0|[1-9][0-9]*))+$')"
Severity: #error
