import type { z } from 'zod';
import type { InvariantData } from './invariants.js';

/** What the registry knows of one profile. */
export interface ProfileEntry {
  url: string;
  name: string;
  title: string;
  resourceType: string;
  /** The Mon espace santé canonical this profile requires in meta.profile. */
  mesCanonical?: string;
  schema: z.ZodType;
  invariants: readonly InvariantData[];
}
