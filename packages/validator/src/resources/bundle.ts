/**
 * Bundle: its entries are the targets of the references inside it (by fullUrl and Type/id); a
 * RESTful fullUrl names its entry's resource; two entries may not hold the same resource; a
 * document's references resolve inside it (checked by the reference rule).
 */
import { isObject, type Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import type { ResourceRule } from './resource-rule.js';

const RESTFUL_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/;

export const bundleRule: ResourceRule = {
  enter(ctx, bundle, location) {
    ctx.bundleTargets = bundleTargets(bundle);
    ctx.inDocument = bundle.type === 'document';
    checkFullUrls(ctx, bundle, location);
    checkDuplicateResources(ctx, bundle, location);
  },
};

function bundleTargets(bundle: Json): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const entry of Array.isArray(bundle.entry) ? bundle.entry : []) {
    if (!isObject(entry) || !isObject(entry.resource)) continue;
    const r = entry.resource;
    if (typeof entry.fullUrl === 'string') map.set(entry.fullUrl, r);
    if (typeof r.resourceType === 'string' && typeof r.id === 'string') map.set(`${r.resourceType}/${r.id}`, r);
  }
  return map;
}

/** An entry whose fullUrl is a RESTful URL must name the resource it holds (type and id). */
function checkFullUrls(ctx: ValidationContext, bundle: Json, location: string): void {
  if (!Array.isArray(bundle.entry)) return;
  bundle.entry.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.fullUrl !== 'string' || !isObject(entry.resource)) return;
    const m = RESTFUL_TAIL.exec(entry.fullUrl);
    const { resourceType, id } = entry.resource;
    if (!m || !/^https?:/.test(entry.fullUrl) || typeof id !== 'string') return;
    if (m[1] !== resourceType || m[2] !== id)
      ctx.report('bundle-full-url-mismatch', `${location}.entry[${i}].fullUrl`, entry.fullUrl, `${String(resourceType)}/${id}`);
  });
}

/**
 * Two entries may not hold the same resource (type and id), except in a history Bundle or as
 * distinct versions (meta.versionId), as the Java validator checks.
 */
function checkDuplicateResources(ctx: ValidationContext, bundle: Json, location: string): void {
  if (!Array.isArray(bundle.entry) || bundle.type === 'history') return;
  const seen = new Map<string, number>();
  bundle.entry.forEach((entry, i) => {
    if (!isObject(entry) || !isObject(entry.resource)) return;
    const { resourceType, id, meta } = entry.resource;
    if (typeof resourceType !== 'string' || typeof id !== 'string') return;
    const version = isObject(meta) && typeof meta.versionId === 'string' ? meta.versionId : '';
    const key = `${resourceType}/${id}|${version}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else ctx.report('bundle-duplicate-resource', `${location}.entry[${i}].resource.id`, `${resourceType}/${id}`, first);
  });
}
