/**
 * The rules of resource types beyond their definitions, one file per type: a new one is a file
 * and a line here.
 */
import { bundleRule } from './bundle.js';
import { capabilityStatementRule } from './capability-statement.js';
import { documentReferenceRule } from './document-reference.js';
import { parametersRule } from './parameters.js';
import type { ResourceRule } from './resource-rule.js';
import { searchParameterRule } from './search-parameter.js';
import { structureDefinitionRule } from './structure-definition.js';

export type { ResourceRule } from './resource-rule.js';

const RESOURCE_RULES = new Map<string, ResourceRule>([
  ['Bundle', bundleRule],
  ['CapabilityStatement', capabilityStatementRule],
  ['DocumentReference', documentReferenceRule],
  ['Parameters', parametersRule],
  ['SearchParameter', searchParameterRule],
  ['StructureDefinition', structureDefinitionRule],
]);

/** The rule of a resource type, if it has one. */
export function resourceRuleOf(resourceType: string): ResourceRule | undefined {
  return RESOURCE_RULES.get(resourceType);
}
