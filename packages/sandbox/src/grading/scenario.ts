/**
 * A test scenario of MES's referencing, as the sandbox proves it from an app's recorded exchanges:
 * steps, each proven (with the exchanges that show it), failed (with those that show why) or
 * missing (with what to do). The scenario passes when every step is proven, fails when one
 * failed, and is otherwise not exercised. Each API declares its own (apis/<api>-scenarios.ts);
 * those of pairing and of every API are in common-scenarios.ts.
 */
import { isObject, type Json } from '@mes-fhir/core';
import type { Exchange } from './exchange.js';

export type StepStatus = 'proven' | 'failed' | 'missing';
export type ScenarioStatus = 'passed' | 'failed' | 'not-exercised';

export interface Step {
  title: string;
  status: StepStatus;
  /** Why, in French: what proves it, what went wrong, or what the app still has to do. */
  detail: string;
  /** seq of the exchanges that show it. */
  evidence: number[];
}

export interface Scenario {
  /** Stable id (JUnit test names, JSON reports). */
  id: string;
  /** The MES API it belongs to, or "Appariement" / "Toutes les API". */
  api: string;
  /** French title. */
  title: string;
  /** What an app must do to prove it, in French. */
  expectation: string;
  judge(exchanges: readonly Exchange[]): Step[];
}

export function scenarioStatus(steps: readonly Step[]): ScenarioStatus {
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  return steps.length > 0 && steps.every((s) => s.status === 'proven') ? 'passed' : 'not-exercised';
}

const stepOf =
  (status: StepStatus) =>
  (title: string, detail: string, evidence: Exchange[] = []): Step => ({ title, status, detail, evidence: evidence.map((x) => x.seq) });
export const proven = stepOf('proven');
export const failed = stepOf('failed');
export const missing = stepOf('missing');

/**
 * The usual step: proven by the first exchange that `succeeded`; failed when the app tried
 * (`tried`) and never succeeded; missing when it never tried.
 */
export function attempted(
  title: string,
  exchanges: readonly Exchange[],
  tried: (x: Exchange) => boolean,
  succeeded: (x: Exchange) => boolean,
  texts: { proven: string; missing: string },
): Step {
  const tries = exchanges.filter(tried);
  const success = tries.find(succeeded);
  if (success) return proven(title, texts.proven, [success]);
  if (tries.length) return failed(title, `${tries.length} essai(s), aucun accepté : ${refusalOf(tries.at(-1)!)}`, tries.slice(-3));
  return missing(title, texts.missing);
}

/**
 * A step proven by reading something back (a search, a retrieval): proven by the first exchange
 * that `found` it; failed when every try was refused; missing when none was made, or when the
 * accepted ones did not find it (`notFound`).
 */
export function readBack(
  title: string,
  exchanges: readonly Exchange[],
  tried: (x: Exchange) => boolean,
  found: (x: Exchange) => boolean,
  texts: { proven: string; missing: string; notFound: string },
): Step {
  const tries = exchanges.filter(tried);
  const success = tries.find(found);
  if (success) return proven(title, texts.proven, [success]);
  if (tries.length && tries.every((x) => !isSuccess(x)))
    return failed(title, `${tries.length} essai(s), aucun accepté : ${refusalOf(tries.at(-1)!)}`, tries.slice(-3));
  return missing(title, tries.length ? texts.notFound : texts.missing, tries.slice(-1));
}

// --- reading exchanges -------------------------------------------------------------------------

/** The path of an exchange, without its query. */
export const pathOf = (x: Exchange): string => x.url.split('?')[0]!;

export const isSuccess = (x: Exchange): boolean => x.status >= 200 && x.status < 300;

/** The query parameters of an exchange. */
export function queryOf(x: Exchange): URLSearchParams {
  const q = x.url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : x.url.slice(q + 1));
}

/** A GET on `/<type>` (a search), whatever its query. */
export const isSearch = (x: Exchange, type: string): boolean => x.method === 'GET' && pathOf(x) === `/${type}`;

export const requestJson = (x: Exchange): Json | undefined => (isObject(x.requestBody) ? x.requestBody : undefined);
export const responseJson = (x: Exchange): Json | undefined => (isObject(x.responseBody) && x.responseType?.endsWith('json') ? x.responseBody : undefined);

/** The resources of a Bundle's entries (absent ones as undefined, so that indexes match the answer's). */
export function entryResources(bundle: Json | undefined): Array<Json | undefined> {
  const entries = Array.isArray(bundle?.entry) ? bundle.entry : [];
  return entries.map((e) => (isObject(e) && isObject(e.resource) ? e.resource : undefined));
}

/** The `response` of each entry of a transaction-response Bundle (`status`: `201 Created`…; `location`), in order. */
export function entryResponses(bundle: Json | undefined): Array<{ status: string; location: string }> {
  const entries = Array.isArray(bundle?.entry) ? bundle.entry : [];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return entries.map((e) => {
    const response = isObject(e) && isObject(e.response) ? e.response : {};
    return { status: text(response.status), location: text(response.location) };
  });
}

export function metaProfiles(r: Json | undefined): string[] {
  const p = isObject(r?.meta) ? r.meta.profile : undefined;
  return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : [];
}

/** The codes of a resource's `code` (a CodeableConcept). */
export function codesOf(r: Json | undefined): string[] {
  const cc = r?.code;
  const codings = isObject(cc) && Array.isArray(cc.coding) ? cc.coding : [];
  return codings.flatMap((c) => (isObject(c) && typeof c.code === 'string' ? [c.code] : []));
}

/** The link of a searchset answer with this relation. */
export function linkOf(bundle: Json | undefined, relation: string): string | undefined {
  const links = Array.isArray(bundle?.link) ? bundle.link : [];
  const found = links.find((l) => isObject(l) && l.relation === relation && typeof l.url === 'string') as Json | undefined;
  return found?.url as string | undefined;
}

/** A URL's path and query with sorted parameters: two requests of the same page compare equal. */
export function pageKey(url: string): string {
  const u = new URL(url, 'http://sandbox.invalid');
  u.searchParams.sort();
  return `${u.pathname}?${u.searchParams.toString()}`;
}

/** What the sandbox said when refusing, in one line: status and the first diagnostics. */
export function refusalOf(x: Exchange): string {
  const body = responseJson(x);
  const issue = Array.isArray(body?.issue) ? body.issue.find(isObject) : undefined;
  const why = typeof issue?.diagnostics === 'string' ? issue.diagnostics : typeof body?.error_description === 'string' ? body.error_description : '';
  return `HTTP ${x.status}${why ? ` « ${why.length > 200 ? `${why.slice(0, 200)}…` : why} »` : ''}`;
}
