/**
 * Bundle: its entries are the targets of the references inside it (bundle-targets.ts); a
 * fullUrl is absolute, and a RESTful one names its entry's resource; two entries may not hold the
 * same resource (same fullUrl, or same type and id without fullUrls); a link relation occurs once;
 * in a searchset, a match has an id and the type searched, and an OperationOutcome is an outcome;
 * a document's references resolve inside it (checked by the reference rule) and each of its entries
 * is linked to the Composition.
 */
import { isObject, type Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import { ABSOLUTE_URI } from '../rules/coding.js';
import { BundleTargets } from './bundle-targets.js';
import type { ResourceRule } from './resource-rule.js';

const RESTFUL_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/;

export const bundleRule: ResourceRule = {
  enter(ctx, bundle, location) {
    ctx.bundleTargets = new BundleTargets(Array.isArray(bundle.entry) ? bundle.entry : []);
    ctx.inDocument = bundle.type === 'document';
    if (ctx.inDocument) checkReachable(ctx, bundle, ctx.bundleTargets, location);
    checkFullUrls(ctx, bundle, location);
    checkDuplicateResources(ctx, bundle, location);
    checkLinks(ctx, bundle, location);
    if (bundle.type === 'searchset') checkSearchset(ctx, bundle, location);
  },
};

/** A link relation (self, next…) occurs at most once. */
function checkLinks(ctx: ValidationContext, bundle: Json, location: string): void {
  if (!Array.isArray(bundle.link)) return;
  const seen = new Set<string>();
  bundle.link.forEach((link, i) => {
    if (!isObject(link) || typeof link.relation !== 'string') return;
    if (seen.has(link.relation)) ctx.report('bundle-link-repeated', `${location}.link[${i}].relation`, link.relation);
    seen.add(link.relation);
  });
}

/**
 * A searchset's entries: a match has an id, and is of the type its self link searched
 * (`…/Observation?…`); an OperationOutcome is there as an outcome (search.mode = outcome).
 */
function checkSearchset(ctx: ValidationContext, bundle: Json, location: string): void {
  if (!Array.isArray(bundle.entry)) return;
  const self = Array.isArray(bundle.link) ? bundle.link.find((l) => isObject(l) && l.relation === 'self') : undefined;
  const searched = isObject(self) && typeof self.url === 'string' ? /\/([A-Z][A-Za-z]+)\/?(?:\?|$)/.exec(self.url)?.[1] : undefined;
  bundle.entry.forEach((entry, i) => {
    if (!isObject(entry) || !isObject(entry.resource)) return;
    const r = entry.resource;
    const mode = isObject(entry.search) ? entry.search.mode : undefined;
    const at = `${location}.entry[${i}]`;
    if (r.resourceType === 'OperationOutcome') {
      if (mode !== 'outcome') ctx.report('bundle-searchset-outcome-mode', `${at}.search.mode`);
      return;
    }
    if (mode !== 'match') return;
    if (typeof r.id !== 'string') ctx.report('bundle-searchset-match-id', `${at}.resource`);
    if (searched && r.resourceType !== searched) ctx.report('bundle-searchset-match-type', `${at}.resource`, String(r.resourceType), searched);
  });
}

/** An entry whose fullUrl is a RESTful URL must name the resource it holds (type and id). */
function checkFullUrls(ctx: ValidationContext, bundle: Json, location: string): void {
  if (!Array.isArray(bundle.entry)) return;
  bundle.entry.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.fullUrl !== 'string') return;
    if (!ABSOLUTE_URI.test(entry.fullUrl)) {
      ctx.report('bundle-full-url-relative', `${location}.entry[${i}].fullUrl`, entry.fullUrl);
      return;
    }
    if (!isObject(entry.resource)) return;
    const m = RESTFUL_TAIL.exec(entry.fullUrl);
    const { resourceType, id } = entry.resource;
    if (!m || !/^https?:/.test(entry.fullUrl) || typeof id !== 'string') return;
    if (m[1] !== resourceType || m[2] !== id)
      ctx.report('bundle-full-url-mismatch', `${location}.entry[${i}].fullUrl`, entry.fullUrl, `${String(resourceType)}/${id}`);
  });
}

/**
 * Two entries may not hold the same resource, except in a history Bundle or as distinct versions
 * (meta.versionId), as the Java validator checks. A resource is known by its fullUrl (bdl-7 says
 * when one repeats), and by its type and id only when it has none: two fullUrls are two
 * resources, whatever their ids.
 */
function checkDuplicateResources(ctx: ValidationContext, bundle: Json, location: string): void {
  if (!Array.isArray(bundle.entry) || bundle.type === 'history') return;
  const seen = new Map<string, number>();
  bundle.entry.forEach((entry, i) => {
    if (!isObject(entry) || !isObject(entry.resource) || entry.fullUrl !== undefined) return;
    const { resourceType, id, meta } = entry.resource;
    if (typeof resourceType !== 'string' || typeof id !== 'string') return;
    const version = isObject(meta) && typeof meta.versionId === 'string' ? meta.versionId : '';
    const key = `${resourceType}/${id}|${version}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else ctx.report('bundle-duplicate-resource', `${location}.entry[${i}].resource.id`, `${resourceType}/${id}`, first);
  });
}

/**
 * In a document, every entry is reachable from the first (the Composition) by following references
 * forward or backward, as the HL7 validator checks: an entry nothing links is not part of what the
 * document says. Entries are linked in one pass over their references (no recursion).
 */
function checkReachable(ctx: ValidationContext, bundle: Json, targets: BundleTargets, location: string): void {
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const resources = entries.map((e) => (isObject(e) && isObject(e.resource) ? e.resource : undefined));
  const indexOf = new Map<unknown, number>();
  resources.forEach((r, i) => r && indexOf.set(r, i));
  if (!resources[0]) return;
  // links in both directions: an entry that names a reachable one is reachable too
  const links: number[][] = resources.map(() => []);
  resources.forEach((r, i) => {
    if (!r) return;
    for (const reference of referencesIn(r)) {
      const j = indexOf.get(targets.resolve(reference, [r]));
      if (j === undefined || j === i) continue;
      links[i]!.push(j);
      links[j]!.push(i);
    }
  });
  const seen = new Set<number>([0]);
  const queue = [0];
  while (queue.length) {
    for (const j of links[queue.pop()!]!) {
      if (seen.has(j)) continue;
      seen.add(j);
      queue.push(j);
    }
  }
  resources.forEach((r, i) => {
    if (r && !seen.has(i)) {
      const entry = entries[i] as Json;
      ctx.report(
        'bundle-entry-unreachable',
        `${location}.entry[${i}]`,
        typeof entry.fullUrl === 'string' ? entry.fullUrl : `${String(r.resourceType)}/${String(r.id)}`,
      );
    }
  });
}

/** Every `reference` string in a resource (contained ones included), without recursion. */
function referencesIn(resource: Json): string[] {
  const found: string[] = [];
  const stack: unknown[] = [resource];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (isObject(v))
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string' && !x.startsWith('#')) found.push(x);
        else if (typeof x === 'object') stack.push(x);
      }
  }
  return found;
}
