/**
 * A Coding's system, as the HL7 validator checks it: an absolute URI (a relative one names
 * nothing), not an example URL, and the url of a code system, not of a value set (a common
 * mistake: the binding's canonical copied into the coding).
 */
import type { Json } from '@mes-fhir/core';
import type { ValidationContext } from '../context.js';
import type { ProfilePlans } from '../plans/profile-plans.js';

/** An absolute URI: a scheme, then a colon (RFC 3986). */
export const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** The host of a URL with an authority (`scheme://[user@]host…`). */
const HOST = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#:]+)/;

/**
 * A URL on a host reserved for examples (RFC 2606: example.com, .net, .org and the .example
 * domain): where a real URL is expected (a code system, a canonical, an attachment's url), the
 * HL7 validator refuses it unless told examples are allowed.
 */
export function isExampleUrl(url: string): boolean {
  const host = HOST.exec(url)?.[1]?.toLowerCase();
  return host !== undefined && /(?:^|\.)example\.(?:com|net|org)$|\.example$|^example$/.test(host);
}

export function checkCoding(ctx: ValidationContext, plans: ProfilePlans, coding: Json, location: string): void {
  const system = coding.system;
  if (typeof system !== 'string' || system.length === 0) return;
  if (!ABSOLUTE_URI.test(system)) {
    ctx.report('coding-system-relative', `${location}.system`, system);
    return;
  }
  if (!plans.settings.allowExampleUrls && isExampleUrl(system)) ctx.report('url-example', `${location}.system`, system);
  else if (namesValueSet(plans, system)) ctx.report('coding-system-is-value-set', `${location}.system`, system);
}

/** Whether a url is a loaded value set and no loaded code system, asked once per url (every Coding asks). */
const valueSetUrls = new WeakMap<ProfilePlans, Map<string, boolean>>();
function namesValueSet(plans: ProfilePlans, url: string): boolean {
  let known = valueSetUrls.get(plans);
  if (!known) valueSetUrls.set(plans, (known = new Map()));
  let answer = known.get(url);
  if (answer === undefined) {
    answer = Boolean(plans.index.findEntryOfType(url, 'ValueSet')) && !plans.index.findEntryOfType(url, 'CodeSystem');
    // bounded: systems come from the input
    if (known.size >= 1000) known.clear();
    known.set(url, answer);
  }
  return answer;
}
