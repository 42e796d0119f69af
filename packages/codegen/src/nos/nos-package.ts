/**
 * The NOS value sets as a FHIR package of their own (`mes-fhir.nos`): one ValueSet per SVS file
 * under its NOS canonical, and for each NOS code system they use a CodeSystem with the concepts
 * they list (`content = fragment`) and a NamingSystem saying that its OID and its canonical name
 * the same system. A pure function of the SVS files and the OID table: same input, same package.
 */
import type { FhirPackageJson } from '../fhir-package.js';
import type { FhirJson } from '../manifest.js';
import type { NosCodeSystem } from './code-systems.js';
import { nosTimestampToDateTime, type SvsValueSet } from './svs.js';

export const NOS_PACKAGE_NAME = 'mes-fhir.nos';

export interface NosPackage {
  packageJson: FhirPackageJson;
  /** File name → resource, sorted by file name. */
  files: Array<{ fileName: string; json: FhirJson }>;
  /** Concepts left out, each with why (a code system named by something other than an OID). */
  skipped: string[];
}

const PUBLISHER = 'Agence du Numérique en Santé (ANS)';
const OID = /^[0-2](\.\d+)+$/;

/** How a code system OID is named: by the NOS table, by a loaded NamingSystem or CodeSystem, else `urn:oid:`. */
export type CodeSystemNamer = (oid: string) => { url: string; name?: string; nos: boolean };

export function codeSystemNamer(nos: ReadonlyMap<string, NosCodeSystem>, loaded: (oid: string) => string | undefined): CodeSystemNamer {
  return (oid) => {
    const own = nos.get(oid);
    if (own) return { url: own.url, name: own.name, nos: true };
    const named = loaded(oid);
    if (named) return { url: named, nos: false };
    return { url: `urn:oid:${oid}`, nos: true };
  };
}

/** `JDV_J07-XdsTypeCode-CISIS` from its NOS address; the FHIR id and canonical tail use dashes only. */
function nosName(urlFichier: string): string {
  return urlFichier.slice(urlFichier.lastIndexOf('/') + 1);
}

/** FHIR ids are at most 64 characters of [A-Za-z0-9-.]. */
function fhirId(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
}

export function buildNosPackage(valueSets: SvsValueSet[], nameOf: CodeSystemNamer): NosPackage {
  const skipped: string[] = [];
  const newest =
    valueSets
      .map((v) => v.dateMaj)
      .sort()
      .at(-1) ?? '19700101000000';
  // code system url → its concepts (code → display, retired) and identity
  const codeSystems = new Map<string, { oid: string; name?: string; concepts: Map<string, { display: string; dateFin?: string }> }>();
  const files: NosPackage['files'] = [];
  const sorted = [...valueSets].sort((a, b) => (nosName(a.urlFichier) < nosName(b.urlFichier) ? -1 : 1));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.urlFichier === sorted[i - 1]!.urlFichier)
      throw new Error(`${sorted[i - 1]!.file} and ${sorted[i]!.file} are the same value set (${sorted[i]!.urlFichier}): keep one`);
  for (const vs of sorted) {
    const name = nosName(vs.urlFichier);
    const dashed = name.replace(/_/g, '-');
    const includes = new Map<string, Array<{ code: string; display?: string }>>();
    for (const c of vs.concepts) {
      if (!OID.test(c.codeSystem)) {
        skipped.push(`${name}: ${c.code} "${c.displayName}" is in code system "${c.codeSystem}", which is not an OID (no FHIR system to name it)`);
        continue;
      }
      const system = nameOf(c.codeSystem);
      let list = includes.get(system.url);
      if (!list) includes.set(system.url, (list = []));
      list.push({ code: c.code, ...(c.displayName ? { display: c.displayName } : {}) });
      if (!system.nos) continue;
      let cs = codeSystems.get(system.url);
      if (!cs) codeSystems.set(system.url, (cs = { oid: c.codeSystem, name: system.name, concepts: new Map() }));
      // a code listed by several JDVs keeps its first display (JDVs are read in name order)
      if (!cs.concepts.has(c.code)) cs.concepts.set(c.code, { display: c.displayName, ...(c.dateFin ? { dateFin: c.dateFin } : {}) });
    }
    files.push({
      fileName: `ValueSet-${fhirId(dashed)}.json`,
      json: {
        resourceType: 'ValueSet',
        id: fhirId(dashed),
        url: `${vs.urlFichier}/FHIR/${dashed}`,
        identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:oid:${vs.oid}` }],
        version: vs.dateMaj,
        name: name.replace(/-/g, '_'),
        title: name,
        status: vs.dateFin ? 'retired' : 'active',
        experimental: false,
        date: vs.revisionDate ?? nosTimestampToDateTime(vs.dateMaj),
        publisher: PUBLISHER,
        ...(vs.description ? { description: vs.description } : {}),
        compose: {
          include: [...includes].map(([system, concept]) => ({ system, concept })),
        },
      },
    });
  }
  for (const [url, cs] of [...codeSystems].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const id = fhirId(url.startsWith('urn:oid:') ? `oid-${cs.oid}` : url.slice(url.lastIndexOf('/') + 1));
    const retired = [...cs.concepts.values()].some((c) => c.dateFin);
    files.push({
      fileName: `CodeSystem-${id}.json`,
      json: {
        resourceType: 'CodeSystem',
        id,
        url,
        identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:oid:${cs.oid}` }],
        name: (cs.name ?? `OID_${cs.oid}`).replace(/[^A-Za-z0-9_]/g, '_'),
        ...(cs.name ? { title: cs.name } : {}),
        status: 'active',
        experimental: false,
        publisher: PUBLISHER,
        description: `The concepts of this code system that the imported NOS value sets list (not the whole code system).`,
        caseSensitive: true,
        content: 'fragment',
        count: cs.concepts.size,
        ...(retired
          ? {
              property: [
                { code: 'inactive', uri: 'http://hl7.org/fhir/concept-properties#inactive', description: 'Retired in the NOS (dateFin)', type: 'boolean' },
              ],
            }
          : {}),
        concept: [...cs.concepts]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([code, c]) => ({
            code,
            ...(c.display ? { display: c.display } : {}),
            ...(c.dateFin ? { property: [{ code: 'inactive', valueBoolean: true }] } : {}),
          })),
      },
    });
    if (url.startsWith('urn:oid:')) continue;
    files.push({
      fileName: `NamingSystem-${id}.json`,
      json: {
        resourceType: 'NamingSystem',
        id,
        name: (cs.name ?? id).replace(/[^A-Za-z0-9_]/g, '_'),
        status: 'active',
        kind: 'codesystem',
        date: nosTimestampToDateTime(newest),
        publisher: PUBLISHER,
        description: `${cs.name ?? url}: its OID and its FHIR canonical name the same code system.`,
        uniqueId: [
          { type: 'oid', value: cs.oid, preferred: true },
          { type: 'uri', value: url, preferred: true },
        ],
      },
    });
  }
  files.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  return {
    packageJson: {
      name: NOS_PACKAGE_NAME,
      version: `${Number(newest.slice(0, 4))}.${Number(newest.slice(4, 6))}.${Number(newest.slice(6, 8))}`,
      canonical: 'https://mos.esante.gouv.fr/NOS',
      title: 'NOS value sets (JDV) for mes-fhir',
      description:
        'The NOS value sets (jeux de valeurs) published by the ANS in IHE SVS, as FHIR R4 ValueSets under their NOS canonicals, with the NOS code systems they use (fragments) and NamingSystems tying each OID to its canonical. Built by mes-fhir codegen.',
      fhirVersions: ['4.0.1'],
      dependencies: {},
      type: 'fhir.ig',
    },
    files,
    skipped,
  };
}
