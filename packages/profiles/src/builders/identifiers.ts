/**
 * The identifiers every builder writes: resource ids, OIDs as MES writes them, and the patient as
 * MES knows it after pairing.
 */

// Web Crypto: available in browsers and in Node 19+, so the builders run in either.
/** A new resource id (UUID v4). */
export const randomUUID = (): string => globalThis.crypto.randomUUID();

/** An OID as MES writes it: `urn:oid:` followed by the dotted number. Accepts either form. */
export function oidUri(oid: string): string {
  return oid.startsWith('urn:oid:') ? oid : `urn:oid:${oid}`;
}

/** The patient as MES knows it after pairing: the OID given at pairing and the pseudonymous idPe. */
export interface MesPatient {
  oid: string;
  idPe: string;
}
