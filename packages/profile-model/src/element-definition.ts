import type * as fhir4 from 'fhir/r4.js';

/**
 * An R4 ElementDefinition as read from a package: the @types/fhir shape, open to the choice-typed
 * names it reads by prefix (fixed[x], pattern[x], minValue[x]…).
 */
export type ElementDefinitionJson = fhir4.ElementDefinition & Record<string, unknown>;

/** An R4 StructureDefinition as read from a package: the @types/fhir shape, its elements as above. */
export type StructureDefinitionJson = Omit<fhir4.StructureDefinition, 'snapshot' | 'differential'> & {
  snapshot?: { element: ElementDefinitionJson[] };
  differential?: { element: ElementDefinitionJson[] };
};

/** Splits an element id into segments, keeping slice names (which may contain dots inside brackets) whole. */
export function idSegments(id: string): string[] {
  const out: string[] = [];
  let current = '';
  let inSlice = false;
  for (const ch of id) {
    if (ch === ':') inSlice = true;
    if (ch === '.' && !inSlice) {
      out.push(current);
      current = '';
      continue;
    }
    if (ch === '.' && inSlice) {
      // a dot after a slice name ends the segment unless the slice name itself holds a dot (rare): treat as end
      out.push(current);
      current = '';
      inSlice = false;
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out;
}
