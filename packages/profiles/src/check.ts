import type { z } from 'zod';
import { mesCanonicals, profiles } from './generated/registry.js';
import { checkInvariants, type InvariantFailure } from './runtime/invariants.js';
import type { ProfileEntry } from './runtime/registry-entry.js';
import { documentIssues } from './document-check.js';

export interface CheckIssue {
  severity: 'error' | 'warning';
  /** FHIRPath-like location, e.g. `Observation.valueQuantity.code`. */
  location: string;
  message: string;
  /** The invariant key, for invariant failures. */
  key?: string;
}

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

function locationOf(root: string, path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), root);
}

/**
 * Checks a resource against a profile (given, or found from meta.profile): the zod schema, the
 * FHIRPath invariants, and a DocumentReference against the CDA R2 it carries. Never throws on any input.
 */
export function checkResource(resource: unknown, profile?: string | ProfileEntry): CheckResult {
  const entry = typeof profile === 'string' ? findProfile(profile) : profile ?? profileOf(resource);
  if (!entry) {
    return { valid: false, issues: [{ severity: 'error', location: '', message: profile ? `unknown profile ${String(profile)}` : 'no known profile in meta.profile' }] };
  }
  const issues: CheckIssue[] = [];
  const parsed = (entry.schema as z.ZodType).safeParse(resource);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') {
        // one issue per unknown property, located at the property itself
        for (const key of i.keys) issues.push({ severity: 'error', location: locationOf(entry.resourceType, [...i.path, key]), message: `unknown property "${key}"` });
      } else {
        issues.push({ severity: 'error', location: locationOf(entry.resourceType, i.path), message: i.message });
      }
    }
  }
  let failures: InvariantFailure[] = [];
  try {
    failures = checkInvariants(resource, entry.invariants);
  } catch (e) {
    issues.push({ severity: 'error', location: entry.resourceType, message: `invariants could not run: ${(e as Error).message}` });
  }
  for (const f of failures) {
    issues.push({
      severity: f.severity,
      location: f.location,
      key: f.key,
      message: f.evaluationError ? `${f.key}: could not be evaluated (${f.evaluationError})` : `${f.key}: ${f.human}`,
    });
  }
  issues.push(...documentIssues(resource));
  return { valid: !issues.some((i) => i.severity === 'error'), profile: entry.url, issues };
}
