export { toOperationOutcome, isValid, type Issue, type IssueCode, type IssueSeverity, type OperationOutcome } from '@mes-fhir/core';
export * from './validator.js';
export { MESSAGES, type MessageId } from './messages.js';
export { planInvariants } from './invariants/plan.js';
export type { AttachmentResolver } from './resources/document-reference.js';
/** An issue of the validator: the toolkit's one issue type (`@mes-fhir/core`). */
export type { Issue as ValidationIssue } from '@mes-fhir/core';
export { reachableDefinitions } from './reachable-definitions.js';
