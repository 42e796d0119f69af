/**
 * The NOS code systems the imported value sets use, by OID: the FHIR canonical the ANS gives each
 * one. Source: the CodeSystem resources of the ANS terminology publication ("Nomenclatures des
 * objets de santé", https://interop.esante.gouv.fr/ig/nos/), whose `identifier` is the OID below,
 * and, for LOINC and UCUM, the NOS republications TRE_A04-Loinc and TRE_R247-UcumUniteMesure that
 * the NOS FHIR value sets compose with. The EMDN entry is the SMT's (https://smt.esante.gouv.fr).
 *
 * OIDs not listed here take the canonical that a loaded NamingSystem or CodeSystem gives them
 * (HL7's, for SNOMED CT, ICD-10, HL7 v3…), else `urn:oid:<OID>`, a valid FHIR system under which
 * they still match a coding that names them by OID.
 */
export interface NosCodeSystem {
  url: string;
  /** The NOS name (`TRE_A05-TypeDocComplementaire`), or a title for the others. */
  name: string;
}

const NOS = (name: string): NosCodeSystem => ({ url: `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace(/_/g, '-')}`, name });

export const NOS_CODE_SYSTEMS: ReadonlyMap<string, NosCodeSystem> = new Map([
  ['1.2.250.1.213.1.1.4.5', NOS('TRE_A02-ProfessionSavFaire-CISIS')],
  ['1.2.250.1.213.1.1.4.6', NOS('TRE_A00-ProducteurDocNonPS')],
  ['1.2.250.1.213.1.1.4.9', NOS('TRE_A01-CadreExercice')],
  ['1.2.250.1.213.1.1.4.12', NOS('TRE_A05-TypeDocComplementaire')],
  ['1.2.250.1.213.1.1.4.13', NOS('TRE_A07-StatutVisibiliteDocument')],
  ['1.2.250.1.213.1.1.4.322', NOS('TRE_R308-TAASIP')],
  ['1.2.250.1.71.4.2.4', NOS('TRE_R02-SecteurActivite')],
  ['2.16.840.1.113883.6.1', NOS('TRE_A04-Loinc')],
  ['2.16.840.1.113883.6.8', NOS('TRE_R247-UcumUniteMesure')],
  ['1.2.250.1.213.2.68', { url: 'https://smt.esante.gouv.fr/terminologie-emdn', name: 'EMDN' }],
]);
