/**
 * Every message the validator reports, by id: its severity, its FHIR issue type and its text.
 * Issues carry the id (`Issue.id`, and the HL7 message-id extension in an OperationOutcome), so
 * callers match on ids, never on the wording, which may improve.
 */
import type { IssueCode, IssueSeverity } from '@mes-fhir/core';

interface MessageDefinition {
  severity: IssueSeverity;
  code: IssueCode;
  text: (...args: never[]) => string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export const MESSAGES = {
  // --- the validation itself
  'issues-omitted': {
    severity: 'error',
    code: 'too-costly',
    text: (omitted: number, errors: number, kept: number) =>
      `${omitted} more issues (${errors} of them errors) are not listed: only the first ${kept} are kept`,
  },
  'internal-error': { severity: 'fatal', code: 'processing', text: (why: string) => `internal validator error: ${why}` },
  'xml-unreadable': { severity: 'fatal', code: 'structure', text: (why: string) => why },
  'json-unreadable': { severity: 'error', code: 'structure', text: (why: string) => `not valid JSON: ${why}` },
  'profile-not-loaded': { severity: 'error', code: 'not-found', text: (url: string) => `profile ${url} is not loaded` },
  'profile-claim-not-loaded': {
    severity: 'warning',
    code: 'not-found',
    text: (url: string) => `profile ${url} is not loaded, so the resource was not checked against it`,
  },
  'profile-wrong-type': {
    severity: 'error',
    code: 'structure',
    text: (url: string, profileType: string, resourceType: string) => `profile ${url} is for ${profileType}, not ${resourceType}`,
  },

  // --- structure (the walk)
  'resource-not-object': { severity: 'error', code: 'structure', text: (what: string) => `a resource must be a JSON object, not ${what}` },
  'resource-type-missing': { severity: 'error', code: 'required', text: () => 'resourceType is missing or not a string' },
  'resource-type-unknown': { severity: 'error', code: 'structure', text: (type: string) => `unknown resource type "${clip(type, 100)}"` },
  'too-deep': { severity: 'error', code: 'structure', text: (levels: number) => `nesting deeper than ${levels} levels is not followed` },
  'unknown-property': { severity: 'error', code: 'structure', text: (name: string) => `unknown property "${clip(name, 100)}"` },
  'null-value': { severity: 'error', code: 'structure', text: () => 'null is not allowed in FHIR JSON' },
  'array-expected': { severity: 'error', code: 'structure', text: (name: string) => `"${name}" must be an array` },
  'array-empty': { severity: 'error', code: 'structure', text: () => 'arrays must not be empty' },
  'array-not-allowed': { severity: 'error', code: 'structure', text: (name: string) => `"${name}" must be a single value, not an array` },
  'not-an-object': { severity: 'error', code: 'structure', text: (type: string) => `${type} must be a JSON object` },
  'primitive-extension-not-object': { severity: 'error', code: 'structure', text: () => 'a primitive extension must be an object' },
  'element-empty': { severity: 'error', code: 'invariant', text: () => 'ele-1: All FHIR elements must have a @value or children' },

  // --- cardinality
  'choice-twice': { severity: 'error', code: 'structure', text: (names: string, choice: string) => `only one of ${names} is allowed (${choice})` },
  'cardinality-min': {
    severity: 'error',
    code: 'required',
    text: (path: string, min: number, found: number) => `${path}: minimum required = ${min}, but only found ${found}`,
  },
  'cardinality-max': {
    severity: 'error',
    code: 'structure',
    text: (path: string, max: number, found: number) => `${path}: maximum allowed = ${max}, but found ${found}`,
  },
  'element-forbidden': { severity: 'error', code: 'structure', text: (path: string) => `${path} is not allowed in this profile` },

  // --- primitive values
  'primitive-json-type': { severity: 'error', code: 'value', text: (expected: string, got: string) => `${expected} expected, got ${got}` },
  'primitive-out-of-range': { severity: 'error', code: 'value', text: (value: number, type: string) => `${value} is out of range for ${type}` },
  'primitive-empty': { severity: 'error', code: 'value', text: (type: string) => `empty value for ${type}` },
  'primitive-too-long': { severity: 'error', code: 'value', text: (type: string) => `${type} value is longer than 1 MiB` },
  'primitive-control-character': {
    severity: 'error',
    code: 'value',
    text: (type: string, character: string) => `the ${type} value contains the control character ${character}: FHIR strings allow none but tab, CR and LF`,
  },
  'primitive-format': { severity: 'error', code: 'value', text: (value: string, type: string) => `"${clip(value, 80)}" is not a valid ${type}` },
  'date-no-such-day': { severity: 'error', code: 'value', text: (value: string, type: string) => `"${value}" is not a valid ${type}: no such day` },
  'resource-id-invalid': {
    severity: 'error',
    code: 'value',
    text: (id: string) => `invalid resource id "${id.slice(0, 80)}": 1 to 64 letters, digits, '-' or '.'`,
  },
  'narrative-not-div': { severity: 'error', code: 'value', text: () => 'the narrative must be a <div> element' },
  'narrative-namespace': {
    severity: 'error',
    code: 'value',
    text: () => 'the narrative <div> must be in the XHTML namespace (xmlns="http://www.w3.org/1999/xhtml")',
  },
  'narrative-not-xhtml': { severity: 'error', code: 'value', text: (reason: string) => `the narrative is not one well-formed XHTML element: ${reason}` },
  'narrative-element': {
    severity: 'error',
    code: 'value',
    text: (element: string) => `txt-1: <${clip(element, 40)}> is not allowed in a narrative (only basic HTML formatting, links and images)`,
  },
  'narrative-attribute': {
    severity: 'error',
    code: 'value',
    text: (attribute: string, element: string) => `txt-1: the attribute ${clip(attribute, 40)} is not allowed on <${element}> in a narrative`,
  },
  'narrative-url': {
    severity: 'error',
    code: 'value',
    text: (attribute: string, element: string, scheme: string) =>
      `txt-1: the ${attribute} of <${element}> is an active ${scheme} URL, not allowed in a narrative`,
  },
  'narrative-empty': { severity: 'error', code: 'value', text: () => 'txt-2: the narrative must have some non-whitespace content' },

  // --- text (warnings the Java validator gives by default)
  'string-padded': { severity: 'warning', code: 'value', text: () => 'the value should not start or finish with whitespace' },
  'markdown-html': {
    severity: 'warning',
    code: 'value',
    text: (tag: string) =>
      `the markdown embeds what looks like an HTML tag (${tag.slice(0, 40)}), which presentation layers will escape: check that this is intended`,
  },
  'markdown-html-refused': {
    severity: 'error',
    code: 'value',
    text: (tag: string) => `the markdown embeds what looks like an HTML tag (${tag.slice(0, 40)}), which these settings refuse (htmlInMarkdown: error)`,
  },
  'text-html-security': {
    severity: 'error',
    code: 'security',
    text: (tag: string) =>
      `the text holds what looks like an HTML tag (${tag.slice(0, 40)}): rendered as HTML without escaping, it could run in a reader's browser (security checks)`,
  },

  // --- fixed values, patterns, limits
  'fixed-value': { severity: 'error', code: 'value', text: (expected: string) => `value must be exactly ${expected}` },
  'pattern-value': { severity: 'error', code: 'value', text: (expected: string) => `value must match ${expected}` },
  'max-length': { severity: 'error', code: 'value', text: (length: number, max: number) => `${length} characters, more than the maximum length ${max}` },
  'below-min-value': { severity: 'error', code: 'value', text: (value: string, limit: string) => `value ${value} is below the minimum ${limit}` },
  'above-max-value': { severity: 'error', code: 'value', text: (value: string, limit: string) => `value ${value} is above the maximum ${limit}` },
  'attachment-size': {
    severity: 'error',
    code: 'value',
    text: (size: number, actual: number) => `Attachment.size ${size} does not match the size of its data (${actual} bytes)`,
  },
  'ucum-invalid': { severity: 'error', code: 'code-invalid', text: (why: string) => why },

  // --- bindings
  'code-missing': { severity: 'error', code: 'code-invalid', text: (valueSet: string) => `no code provided, and a code from ${valueSet} is required` },
  'code-not-in-required-value-set': {
    severity: 'error',
    code: 'code-invalid',
    text: (code: string, valueSet: string) => `${code} is not in the required value set ${valueSet}`,
  },
  'code-not-in-extensible-value-set': {
    severity: 'warning',
    code: 'code-invalid',
    text: (code: string, valueSet: string) => `${code} is not in the extensible value set ${valueSet}`,
  },
  'code-not-in-preferred-value-set': {
    severity: 'information',
    code: 'code-invalid',
    text: (code: string, valueSet: string) => `${code} is not in the preferred value set ${valueSet}`,
  },
  'code-display-mismatch': { severity: 'warning', code: 'code-invalid', text: (why: string) => why },
  'code-not-checkable': { severity: 'warning', code: 'not-supported', text: (why: string) => why },

  // --- references
  'local-reference-unresolved': { severity: 'error', code: 'invariant', text: () => 'ref-1: SHALL have a contained resource if a local reference is provided' },
  'reference-format': { severity: 'error', code: 'value', text: (reference: string) => `"${reference.slice(0, 100)}" is not a valid reference` },
  'reference-type-unknown': { severity: 'error', code: 'value', text: (type: string) => `"${type}" is not a resource type` },
  'reference-outside-document': {
    severity: 'error',
    code: 'not-found',
    text: (reference: string) => `"${reference.slice(0, 100)}" is not in the document Bundle: a document's references resolve inside it`,
  },
  'reference-type-not-allowed': {
    severity: 'error',
    code: 'structure',
    text: (type: string, allowed: string) => `a reference to ${type} is not allowed here (allowed: ${allowed})`,
  },
  'reference-target-profile': {
    severity: 'error',
    code: 'structure',
    text: (type: string, profiles: string) => `the referenced ${type} does not conform to ${profiles}`,
  },
  'resource-matches-no-profile': {
    severity: 'error',
    code: 'structure',
    text: (profiles: string) => `the resource conforms to none of the allowed profiles: ${profiles}`,
  },

  // --- slicing
  'slice-none-closed': {
    severity: 'error',
    code: 'structure',
    text: (path: string, slices: string) => `this element matches none of the slices of ${path} (${slices}), and the slicing is closed`,
  },
  'slice-out-of-order': {
    severity: 'error',
    code: 'structure',
    text: (slice: string, path: string) => `slice ${slice} is out of order (the slicing of ${path} is ordered)`,
  },
  'slice-open-at-end': { severity: 'error', code: 'structure', text: (path: string) => `elements outside the slices of ${path} must come last (openAtEnd)` },
  'slice-min': {
    severity: 'error',
    code: 'required',
    text: (slice: string, min: number, found: number) => `${slice}: minimum required = ${min}, but only found ${found}`,
  },
  'slice-max': {
    severity: 'error',
    code: 'structure',
    text: (slice: string, max: number, found: number) => `${slice}: maximum allowed = ${max}, but found ${found}`,
  },

  // --- extensions
  'sd-type-profile-mismatch': {
    severity: 'error',
    code: 'structure',
    text: (profile: string, constrained: string, code: string) =>
      `the profile ${profile.slice(0, 120)} constrains ${constrained}, so it cannot be the profile of a ${code} element`,
  },
  'url-example': {
    severity: 'error',
    code: 'value',
    text: (url: string) => `Example URLs (${url.slice(0, 80)}) are not allowed here: a real URL is expected`,
  },
  'coding-system-relative': {
    severity: 'error',
    code: 'value',
    text: (system: string) => `Coding.system "${system.slice(0, 80)}" must be an absolute URI`,
  },
  'coding-system-is-value-set': {
    severity: 'error',
    code: 'value',
    text: (system: string) => `Coding.system ${system.slice(0, 100)} is a value set, not a code system`,
  },
  'extension-url-relative': {
    severity: 'error',
    code: 'structure',
    text: (url: string) => `the extension url "${url.slice(0, 80)}" must be absolute (relative urls name the parts of a complex extension only)`,
  },
  'extension-unknown': {
    severity: 'error',
    code: 'structure',
    text: (url: string, modifier: boolean) =>
      `the extension ${url} could not be found, so it is not allowed here${modifier ? ' (a modifier extension that is not understood cannot be accepted)' : ''}`,
  },
  'extension-context': {
    severity: 'error',
    code: 'structure',
    text: (url: string, at: string, contexts: string) => `extension ${url} is not allowed on ${at} (its contexts: ${contexts})`,
  },
  'extension-value-and-children': { severity: 'error', code: 'invariant', text: () => 'ext-1: Must have either extensions or value[x], not both' },

  // --- invariants (severity: the constraint's)
  'invariant-failed': { severity: 'error', code: 'invariant', text: (key: string, human: string) => `${key}: ${human}` },
  'invariant-not-evaluated': { severity: 'warning', code: 'processing', text: (key: string, why: string) => `${key} could not be evaluated: ${why}` },

  // --- Bundle
  'bundle-full-url-mismatch': {
    severity: 'error',
    code: 'invalid',
    text: (fullUrl: string, resource: string) => `fullUrl ${fullUrl} does not match the entry's resource ${resource}`,
  },
  'bundle-full-url-relative': { severity: 'error', code: 'invalid', text: (fullUrl: string) => `fullUrl ${fullUrl.slice(0, 100)} is not an absolute URL` },
  'bundle-entry-unreachable': {
    severity: 'error',
    code: 'invalid',
    text: (entry: string) =>
      `entry ${entry.slice(0, 120)} is not reachable from the Composition by following references (forward or backward): a document holds only what it is about`,
  },
  'bundle-link-repeated': {
    severity: 'error',
    code: 'invalid',
    text: (relation: string) => `the link relation "${relation.slice(0, 40)}" occurs more than once`,
  },
  'bundle-searchset-match-id': { severity: 'error', code: 'required', text: () => 'a search match must have an id' },
  'bundle-searchset-match-type': {
    severity: 'error',
    code: 'invalid',
    text: (type: string, searched: string) => `a ${type.slice(0, 40)} is not a match of a search of ${searched}`,
  },
  'bundle-searchset-outcome-mode': { severity: 'error', code: 'invalid', text: () => 'an OperationOutcome in a searchset has search.mode = outcome' },
  'bundle-duplicate-resource': {
    severity: 'error',
    code: 'invalid',
    text: (resource: string, first: number) => `duplicate resource ${resource} in the Bundle (also entry[${first}])`,
  },

  // --- SearchParameter, CapabilityStatement
  'search-expression-invalid': { severity: 'error', code: 'invalid', text: (why: string) => `the expression is not valid FHIRPath: ${why}` },
  'search-parent-not-found': {
    severity: 'warning',
    code: 'not-found',
    text: (url: string) => `the search parameter ${url} it derives from cannot be found, so the derivation is not checked`,
  },
  'search-base-not-in-parent': {
    severity: 'error',
    code: 'invalid',
    text: (base: string, parentBases: string) => `base ${base} is not a base of the parameter it derives from (${parentBases})`,
  },
  'search-type-differs': {
    severity: 'error',
    code: 'invalid',
    text: (type: string, parentType: string) => `type ${type} differs from the type of the parameter it derives from (${parentType})`,
  },
  'search-expression-differs': {
    severity: 'warning',
    code: 'invalid',
    text: (parentExpression: string) => `the expression differs from the one of the parameter it derives from (${parentExpression})`,
  },
  'capability-search-type': {
    severity: 'error',
    code: 'invalid',
    text: (url: string, type: string, declared: string) => `search parameter ${url} has type ${type}, not ${declared}`,
  },

  // --- DocumentReference (the document checks themselves are @mes-fhir/cda's, with their own ids)
  'document-hash': { severity: 'error', code: 'value', text: (hash: string, sha1: string) => `hash ${hash} is not the SHA-1 of the document (${sha1})` },
} as const satisfies Record<string, MessageDefinition>;

export type MessageId = keyof typeof MESSAGES;
/** The arguments of a message's text. */
export type MessageArgs<K extends MessageId> = Parameters<(typeof MESSAGES)[K]['text']>;
