import type { ResourceIndex } from '@mes-fhir/fhir-packages';
import type { Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';

/**
 * The rules of one resource type beyond what its definitions say (HL7's `instance/type/*Validator`):
 * `enter` runs before the resource's elements are walked (what they need to know, such as a
 * Bundle's entries for references), `check` after.
 */
export interface ResourceRule {
  enter?(ctx: ValidationContext, resource: Json, location: string): void;
  check?(ctx: ValidationContext, resource: Json, location: string, definitions: ResourceIndex): void;
}
