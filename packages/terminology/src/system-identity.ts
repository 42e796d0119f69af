/**
 * When two `Coding.system` values name the same code system. French FHIR data names a NOS code
 * system either by its canonical or as `urn:oid:<OID>` (the PDSm examples use
 * `urn:oid:1.2.250.1.213.1.1.4.12` for TRE_A05-TypeDocComplementaire): `urn:oid:<OID>` is the same
 * system as the canonical whose loaded CodeSystem gives that OID as `identifier`, or that a loaded
 * NamingSystem lists beside it. Two different canonicals stay two systems even when they share an
 * OID (the NOS republishes LOINC as TRE_A04-Loinc): membership is by system url, as MES checks it.
 */
import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import type { CodeSystemResource } from './fhir-types.js';

const OID_URN = 'urn:oid:';

interface NamingSystemJson {
  kind?: string;
  uniqueId?: Array<{ type?: string; value?: string; preferred?: boolean }>;
}

export class SystemIdentity {
  /** Canonical → OID, for canonicals that resolved to one (a url from the input that names nothing is never kept). */
  private readonly oids = new Map<string, string>();
  private namingSystems?: { oidOfUri: Map<string, string>; urisOfOid: Map<string, string[]> };

  constructor(private readonly index: ResourceIndex) {}

  /** The OID a system names, or undefined when no loaded resource says. */
  oidOf(system: string): string | undefined {
    if (system.startsWith(OID_URN)) return system.slice(OID_URN.length) || undefined;
    const known = this.oids.get(system);
    if (known) return known;
    const cs = this.index.resolveOfType<CodeSystemResource>(system, 'CodeSystem');
    const fromCodeSystem = cs?.identifier?.find((i) => typeof i.value === 'string' && i.value.startsWith(OID_URN))?.value?.slice(OID_URN.length);
    const oid = fromCodeSystem || this.loadNamingSystems().oidOfUri.get(system);
    if (oid) this.oids.set(system, oid);
    return oid;
  }

  /** Whether two systems name one code system: equal, or a `urn:oid:` and a canonical with that OID. */
  same(a: string, b: string): boolean {
    if (a === b) return true;
    const aOid = a.startsWith(OID_URN);
    if (aOid === b.startsWith(OID_URN)) return false;
    const [urn, canonical] = aOid ? [a, b] : [b, a];
    return this.oidOf(canonical) === urn.slice(OID_URN.length);
  }

  /** The canonicals NamingSystems give an OID, preferred ones first (for a `urn:oid:` system, where its CodeSystem may be). */
  urisOf(oid: string): string[] {
    return this.loadNamingSystems().urisOfOid.get(oid) ?? [];
  }

  /** The canonical a loaded NamingSystem prefers for an OID. */
  canonicalOf(oid: string): string | undefined {
    return this.urisOf(oid)[0];
  }

  /** Every loaded NamingSystem of a code system, read once, on the first question that needs them. */
  private loadNamingSystems(): { oidOfUri: Map<string, string>; urisOfOid: Map<string, string[]> } {
    if (this.namingSystems) return this.namingSystems;
    const oidOfUri = new Map<string, string>();
    const urisOfOid = new Map<string, string[]>();
    for (const entry of this.index.list('NamingSystem')) {
      let ns: NamingSystemJson;
      try {
        ns = this.index.read<NamingSystemJson>(entry);
      } catch {
        continue; // an unreadable package file names nothing
      }
      if (ns.kind !== 'codesystem' || !Array.isArray(ns.uniqueId)) continue;
      const oid = ns.uniqueId.find((u) => u?.type === 'oid' && typeof u.value === 'string')?.value;
      if (!oid) continue;
      const uris = urisOfOid.get(oid) ?? [];
      urisOfOid.set(oid, uris);
      // the first layer that names a uri wins, as for every other duplicate; a layer's preferred uri before its others
      const named = ns.uniqueId
        .filter((u) => u?.type === 'uri' && typeof u.value === 'string')
        .sort((a, b) => Number(b.preferred === true) - Number(a.preferred === true));
      for (const u of named) {
        if (!oidOfUri.has(u.value!)) oidOfUri.set(u.value!, oid);
        if (!uris.includes(u.value!)) uris.push(u.value!);
      }
    }
    return (this.namingSystems = { oidOfUri, urisOfOid });
  }
}
