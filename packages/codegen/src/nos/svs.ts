/**
 * IHE SVS (`RetrieveValueSetResponse`), the XML in which the ANS publishes the NOS value sets
 * ("jeux de valeurs", JDV): one value set per file, its concepts named by code system OID.
 */
import { XMLParser } from 'fast-xml-parser';

export interface SvsConcept {
  code: string;
  /** The code system's OID (or, rarely, a bare name such as `ASTM`). */
  codeSystem: string;
  displayName: string;
  /** NOS timestamp (`YYYYMMDDhhmmss`) after which the concept is retired, when it is. */
  dateFin?: string;
}

export interface SvsValueSet {
  /** The file it was read from (for messages). */
  file: string;
  /** The value set's OID. */
  oid: string;
  /** Its NOS address, e.g. `https://mos.esante.gouv.fr/NOS/JDV_J07-XdsTypeCode-CISIS`. */
  urlFichier: string;
  /** Last update, NOS timestamp: the version. */
  dateMaj: string;
  /** Revision date as an ISO dateTime, when given. */
  revisionDate?: string;
  /** Set when the value set itself is retired. */
  dateFin?: string;
  description?: string;
  concepts: SvsConcept[];
}

/** Thrown for a file that is not an SVS value set; names the file and what is wrong. */
export class SvsError extends Error {
  constructor(file: string, why: string) {
    super(`${file}: ${why}`);
    this.name = 'SvsError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // attribute values stay text: codes such as 01 or 1.10 are not numbers
  parseAttributeValue: false,
  isArray: (name) => name === 'Concept',
  processEntities: true,
});

const NOS_TIMESTAMP = /^\d{14}$/;

/** Reads one SVS file; throws an {@link SvsError} when it is not a well-formed SVS value set. */
export function readSvs(xml: string, file: string): SvsValueSet {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (e) {
    throw new SvsError(file, `not well-formed XML (${(e as Error).message.split('\n')[0]})`);
  }
  const vs = (doc.RetrieveValueSetResponse as Record<string, unknown> | undefined)?.ValueSet as Record<string, unknown> | undefined;
  if (!vs || typeof vs !== 'object') throw new SvsError(file, 'no RetrieveValueSetResponse/ValueSet element');
  const text = (name: string): string | undefined =>
    typeof vs[name] === 'string' && (vs[name] as string).trim() !== '' ? (vs[name] as string).trim() : undefined;
  const oid = text('id');
  const urlFichier = text('urlFichier');
  const dateMaj = text('dateMaj');
  if (!oid || !/^[0-2](\.\d+)+$/.test(oid)) throw new SvsError(file, `ValueSet/@id "${oid ?? ''}" is not an OID`);
  if (!urlFichier || !/^https:\/\/mos\.esante\.gouv\.fr\/NOS\/JDV_[A-Za-z0-9_-]+$/.test(urlFichier))
    throw new SvsError(file, `ValueSet/@urlFichier "${urlFichier ?? ''}" is not a NOS JDV address`);
  if (!dateMaj || !NOS_TIMESTAMP.test(dateMaj)) throw new SvsError(file, `ValueSet/@dateMaj "${dateMaj ?? ''}" is not a NOS timestamp`);
  const list = vs.ConceptList as Record<string, unknown> | string | undefined;
  const raw = typeof list === 'object' && list !== null && Array.isArray(list.Concept) ? (list.Concept as Array<Record<string, unknown>>) : [];
  const concepts = raw.map((c, i): SvsConcept => {
    const code = typeof c.code === 'string' ? c.code : '';
    const codeSystem = typeof c.codeSystem === 'string' ? c.codeSystem.trim() : '';
    if (!code.trim() || !codeSystem) throw new SvsError(file, `concept ${i + 1} has no code or no codeSystem`);
    const dateFin = typeof c.dateFin === 'string' && NOS_TIMESTAMP.test(c.dateFin) ? c.dateFin : undefined;
    return { code, codeSystem, displayName: typeof c.displayName === 'string' ? c.displayName : '', ...(dateFin ? { dateFin } : {}) };
  });
  const dateFin = text('dateFin');
  return {
    file,
    oid,
    urlFichier,
    dateMaj,
    revisionDate: text('revisionDate'),
    ...(dateFin && NOS_TIMESTAMP.test(dateFin) ? { dateFin } : {}),
    description: text('description'),
    concepts,
  };
}

/** A NOS timestamp (`20240927120000`) as a FHIR dateTime (`2024-09-27T12:00:00+01:00`, the ANS's own offset). */
export function nosTimestampToDateTime(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}+01:00`;
}
