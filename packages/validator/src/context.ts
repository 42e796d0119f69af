/**
 * The state of one validation (HL7's ValidationContext and NodeStack in one): the issues found, the
 * resources being walked, the enclosing Bundle, and the way back into the walk for what a rule must
 * check again (a nested resource, a value against a profile).
 */
import { isError, type Issue, type IssueSeverity, type Json } from '@mes-fhir/core';
import { MESSAGES, type MessageArgs, type MessageId } from './messages.js';
import type { AttachmentResolver } from './resources/document-reference.js';
import type { BundleTargets } from './resources/bundle-targets.js';

/** What rules may ask the walk to do again, inside the same validation. */
export interface Revalidation {
  /**
   * Whether a resource meets a profile (no error against it); asked once per resource and profile.
   * A contained resource is judged within its `containers` (outermost first): its own `#id`
   * references resolve there, as they do where it sits.
   */
  meets(resource: unknown, profile: string, containers?: readonly unknown[]): boolean;
  /** Whether a value of a data type (or a resource) meets a profile, its type first. */
  conformsTo(value: unknown, type: string | undefined, profile: string): boolean;
}

/**
 * Issues kept per validation: past this many they are counted, not kept, and summed up in one
 * issue at the end (10 MB of nulls gave five million issues, 2.85 GB, before this bound).
 */
export const MAX_ISSUES = 1000;

export class ValidationContext {
  /** Issues as found, at most MAX_ISSUES; the same issue found twice (by an element's walk and its slice's) is dropped at the end. */
  readonly issues: Issue[] = [];
  /** Issues found past MAX_ISSUES, and how many of them are errors. */
  omitted = 0;
  omittedErrors = 0;
  /**
   * Above 0 inside a slice's walk of items the element's own walk has already checked: only the
   * slice's own rules are new there (primitive formats are not checked twice).
   */
  sliceRecheck = 0;
  /**
   * Counts the checks that read more than a value and its place (references, resources, paths
   * that resolve): a value whose walk made none may be remembered as verified (see VerifiedValue).
   */
  contextReads = 0;
  /** The entries of the enclosing Bundle, for references. */
  bundleTargets: BundleTargets | undefined = undefined;
  /** The enclosing Bundle is a document: its references must resolve inside it. */
  inDocument = false;
  /** The resources being walked, outermost first: a contained resource's `#id` resolves in its container. */
  readonly resourceStack: unknown[] = [];
  /** The contained resources of each resource walked, by id, made on the first local reference into them (most validations make none). */
  containedById: Map<unknown[], Map<unknown, Json>> | undefined = undefined;

  constructor(
    readonly revalidation: Revalidation,
    readonly resolveAttachment?: AttachmentResolver,
  ) {}

  /** Reports a message of the catalogue at a location. */
  report<K extends MessageId>(id: K, location: string, ...args: MessageArgs<K>): void {
    const message = MESSAGES[id];
    if (this.full(message)) return;
    // one shape for every issue (key undefined when none): code that reads issues sees a single map
    this.issues.push({
      severity: message.severity,
      code: message.code,
      location,
      message: (message.text as (...a: unknown[]) => string)(...args),
      id,
      key: undefined,
    });
  }

  /** Ends a list of issues with the count of those left out (an error if any of them is). */
  issuesOmitted(issues: Issue[]): void {
    const message = MESSAGES['issues-omitted'];
    issues.push({
      severity: this.omittedErrors ? 'error' : 'warning',
      code: message.code,
      location: '',
      message: message.text(this.omitted, this.omittedErrors, MAX_ISSUES),
      id: 'issues-omitted',
      key: undefined,
    });
  }

  /** Adds an issue made elsewhere (a CDA check), within the bound. */
  add(issue: Issue): void {
    if (!this.full(issue)) this.issues.push(issue);
  }

  /** Issues found so far, kept or not (a rule compares counts to know whether a walk found any). */
  get found(): number {
    return this.issues.length + this.omitted;
  }

  /** Whether the bound is reached; counts the issue left out. */
  private full(issue: { severity: IssueSeverity }): boolean {
    if (this.issues.length < MAX_ISSUES) return false;
    this.omitted++;
    if (isError(issue)) this.omittedErrors++;
    return true;
  }

  /** Reports a problem a rule returned as data (a message id and its arguments). */
  reportProblem(problem: { id: MessageId; args: ReadonlyArray<string | number> }, location: string): void {
    (this.report as (id: MessageId, location: string, ...args: ReadonlyArray<string | number>) => void)(problem.id, location, ...problem.args);
  }

  /** Reports an invariant's failure with the constraint's own severity and key. */
  reportConstraint(severity: IssueSeverity, key: string, location: string, human: string): void {
    const message = MESSAGES['invariant-failed'];
    if (this.full({ severity })) return;
    this.issues.push({ severity, code: message.code, location, message: message.text(key, human), id: 'invariant-failed', key });
  }

  /** Reports a message that stands for an invariant (ele-1, ext-1, ref-1: checked by the walk), with its key. */
  reportKeyed<K extends MessageId>(key: string, id: K, location: string, ...args: MessageArgs<K>): void {
    const before = this.issues.length;
    this.report(id, location, ...args);
    if (this.issues.length > before) this.issues[before]!.key = key;
  }

  /** Whether an error was reported at a location since the count of issues was `since` (a rule that would only add to it steps aside). */
  hasErrorSince(since: number, location: string): boolean {
    for (let i = since; i < this.issues.length; i++) if (this.issues[i]!.location === location && isError(this.issues[i]!)) return true;
    return false;
  }

  /** Whether an error was reported (a conformance check asks). */
  hasErrors(): boolean {
    return this.omittedErrors > 0 || this.issues.some(isError);
  }
}

/**
 * One context that lives as long as the module. Contexts live for one validation; when a full GC
 * finds none alive, V8 collects the map of their fields and throws away the optimized code of every
 * function that reads them (see scripts/PERFORMANCE.md). This one keeps the map alive.
 */
export const contextShapeKeeper: object = new ValidationContext({ meets: () => false, conformsTo: () => false });
