import type { z } from 'zod';
import type { Issue, IssueCode } from '@mes-fhir/core';
import { mesCanonicals, profiles } from './generated/registry.js';
import { checkInvariants, type InvariantFailure } from './runtime/invariants.js';
import type { ProfileEntry } from './runtime/registry-entry.js';
import { documentIssues } from './document-check.js';

/** An issue of `checkResource`: the toolkit's one issue type (`@mes-fhir/core`). */
export type CheckIssue = Issue;

export interface CheckResult {
  valid: boolean;
  profile?: string;
  issues: CheckIssue[];
}

/** Our profile for a canonical: one of ours, or the one that requires that MES canonical. */
export function findProfile(canonical: string): ProfileEntry | undefined {
  const url = canonical.split('|')[0]!;
  return profiles[url] ?? profiles[mesCanonicals[url] ?? ''];
}

/** The profile a resource claims in meta.profile that we know, if any. */
export function profileOf(resource: unknown): ProfileEntry | undefined {
  const claims = (resource as { meta?: { profile?: unknown } } | null)?.meta?.profile;
  if (!Array.isArray(claims)) return undefined;
  for (const c of claims) if (typeof c === 'string' && findProfile(c)) return findProfile(c);
  return undefined;
}

/** The issue code of a zod issue, as FHIR names the kind of problem; its id is `schema-<zod code>`. */
function schemaIssue(i: z.core.$ZodIssue, location: string): Issue {
  const code: IssueCode =
    i.code === 'too_small' && i.origin === 'array'
      ? 'required'
      : i.code === 'invalid_value' || i.code === 'invalid_format' || i.code === 'custom'
        ? 'value'
        : 'structure';
  return { severity: 'error', code, location, message: i.message, id: `schema-${i.code.replace(/_/g, '-')}` };
}

function locationOf(root: string, path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), root);
}

/**
 * Checks a resource against a profile (given, or found from meta.profile): the zod schema, the
 * FHIRPath invariants, and a DocumentReference against the CDA R2 it carries. Never throws on any input.
 */
export function checkResource(resource: unknown, profile?: string | ProfileEntry): CheckResult {
  const entry = typeof profile === 'string' ? findProfile(profile) : (profile ?? profileOf(resource));
  if (!entry) {
    const message = profile ? `unknown profile ${String(profile)}` : 'no known profile in meta.profile';
    return { valid: false, issues: [{ severity: 'error', code: 'not-found', location: '', message, id: profile ? 'profile-unknown' : 'profile-not-claimed' }] };
  }
  const issues: CheckIssue[] = [];
  const parsed = (entry.schema as z.ZodType).safeParse(resource);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') {
        // one issue per unknown property, located at the property itself
        for (const key of i.keys)
          issues.push({
            severity: 'error',
            code: 'structure',
            location: locationOf(entry.resourceType, [...i.path, key]),
            message: `unknown property "${key}"`,
            id: 'unknown-property',
          });
      } else {
        issues.push(schemaIssue(i, locationOf(entry.resourceType, i.path)));
      }
    }
  }
  let failures: InvariantFailure[] = [];
  try {
    failures = checkInvariants(resource, entry.invariants);
  } catch (e) {
    issues.push({
      severity: 'error',
      code: 'processing',
      location: entry.resourceType,
      message: `invariants could not run: ${(e as Error).message}`,
      id: 'invariants-not-run',
    });
  }
  for (const f of failures) {
    issues.push({
      severity: f.severity,
      code: f.evaluationError ? 'processing' : 'invariant',
      location: f.location,
      message: f.evaluationError ? `${f.key}: could not be evaluated (${f.evaluationError})` : `${f.key}: ${f.human}`,
      id: f.evaluationError ? 'invariant-not-evaluated' : 'invariant-failed',
      key: f.key,
    });
  }
  issues.push(...documentIssues(resource));
  return { valid: !issues.some((i) => i.severity === 'error'), profile: entry.url, issues };
}
