/** The parts of CodeSystem and ValueSet this package reads (FHIR R4). */
export interface CodeSystemConcept {
  code: string;
  display?: string;
  definition?: string;
  designation?: Array<{ language?: string; value: string }>;
  property?: Array<{ code: string; valueCode?: string; valueString?: string; valueBoolean?: boolean; valueInteger?: number; valueCoding?: { code?: string } }>;
  concept?: CodeSystemConcept[];
}

export interface CodeSystemResource {
  resourceType: 'CodeSystem';
  url?: string;
  version?: string;
  caseSensitive?: boolean;
  content?: 'not-present' | 'example' | 'fragment' | 'complete' | 'supplement';
  hierarchyMeaning?: string;
  concept?: CodeSystemConcept[];
}

export interface ValueSetFilter {
  property: string;
  op: string;
  value: string;
}

export interface ValueSetInclude {
  system?: string;
  version?: string;
  concept?: Array<{ code: string; display?: string }>;
  filter?: ValueSetFilter[];
  valueSet?: string[];
}

export interface ExpansionContains {
  system?: string;
  code?: string;
  display?: string;
  version?: string;
  abstract?: boolean;
  inactive?: boolean;
  contains?: ExpansionContains[];
}

export interface ValueSetResource {
  resourceType: 'ValueSet';
  url?: string;
  version?: string;
  compose?: { inactive?: boolean; include?: ValueSetInclude[]; exclude?: ValueSetInclude[] };
  expansion?: { contains?: ExpansionContains[]; total?: number };
}
