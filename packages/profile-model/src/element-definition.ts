/** The parts of an R4 ElementDefinition the model reads. */
export interface ElementDefinitionJson {
  id?: string;
  path: string;
  sliceName?: string;
  min?: number;
  max?: string;
  short?: string;
  definition?: string;
  base?: { path: string; min: number; max: string };
  type?: Array<{ code: string; profile?: string[]; targetProfile?: string[]; extension?: unknown[] }>;
  contentReference?: string;
  slicing?: { discriminator?: Array<{ type: string; path: string }>; rules?: string; ordered?: boolean; description?: string };
  binding?: { strength: string; valueSet?: string; description?: string };
  constraint?: Array<{ key: string; severity: string; human: string; expression?: string; xpath?: string; source?: string }>;
  mustSupport?: boolean;
  isModifier?: boolean;
  isSummary?: boolean;
  [key: string]: unknown;
}

export interface StructureDefinitionJson {
  resourceType: 'StructureDefinition';
  url: string;
  version?: string;
  id?: string;
  name?: string;
  title?: string;
  description?: string;
  type: string;
  kind: 'primitive-type' | 'complex-type' | 'resource' | 'logical';
  abstract?: boolean;
  baseDefinition?: string;
  derivation?: 'specialization' | 'constraint';
  snapshot?: { element: ElementDefinitionJson[] };
  differential?: { element: ElementDefinitionJson[] };
}

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
