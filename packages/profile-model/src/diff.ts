import type { StructureDefinitionJson } from './element-definition.js';
import { buildTree, type ElementNode, type ProfileTree } from './model.js';

/**
 * Semantic differences between two versions of profiles, element by element of their snapshots,
 * each classified by who it can break:
 * - `senders`: the new version is stricter, an instance valid before may now be refused;
 * - `receivers`: the new version is looser, a receiver may now get what it did not expect;
 * - `compatible`: neither (documentation, must-support, an optional element added).
 * A pure function of the two sets of StructureDefinitions; the CLI, codegen and site present it.
 */
export type Impact = 'senders' | 'receivers' | 'compatible';

export interface ElementChange {
  /** Element id (`Observation.code.coding:loinc.system`), or the profile itself for `profile-*`. */
  element: string;
  kind:
    | 'profile-added'
    | 'profile-removed'
    | 'element-added'
    | 'element-removed'
    | 'min'
    | 'max'
    | 'type'
    | 'target-profile'
    | 'fixed'
    | 'binding'
    | 'constraint'
    | 'slicing'
    | 'must-support';
  /** Who the change can break (see {@link Impact}). */
  impact: Impact;
  before?: string;
  after?: string;
}

export interface ProfileDiff {
  url: string;
  name?: string;
  changes: ElementChange[];
  counts: Record<Impact, number>;
}

const card = (n: number) => (Number.isFinite(n) ? String(n) : '*');
/** A canonical without its `|version`: pinning the version of the same profile is compatible. */
const unversioned = (values: string[]) => values.map((v) => v.replace(/\|[^|)]*(?=\)|$)/g, ''));
const sameUnversioned = (a: string[], b: string[]) => list([...new Set(unversioned(a))]) === list([...new Set(unversioned(b))]);
const list = (values: string[]) => (values.length ? [...values].sort().join(', ') : '(none)');

function typeCodes(n: ElementNode): string[] {
  return [...new Set(n.types.map((t) => (t.profiles.length ? `${t.code}(${[...t.profiles].sort().join('|')})` : t.code)))];
}
const targets = (n: ElementNode): string[] => [...new Set(n.types.flatMap((t) => t.targetProfiles))];
const fixedText = (n: ElementNode): string | undefined => (n.fixed ? `${n.fixed.kind} ${JSON.stringify(n.fixed.value)}` : undefined);
const STRENGTH_ORDER = ['example', 'preferred', 'extensible', 'required'];

function compareElements(a: ElementNode, b: ElementNode, out: ElementChange[]): void {
  const id = b.id;
  if (a.min !== b.min) out.push({ element: id, kind: 'min', impact: b.min > a.min ? 'senders' : 'receivers', before: String(a.min), after: String(b.min) });
  if (a.max !== b.max) out.push({ element: id, kind: 'max', impact: b.max < a.max ? 'senders' : 'receivers', before: card(a.max), after: card(b.max) });

  const [ta, tb] = [typeCodes(a), typeCodes(b)];
  const [ua, ub] = [unversioned(ta), unversioned(tb)];
  const removed = ua.filter((t) => !ub.includes(t));
  if (list(ta) !== list(tb))
    out.push({
      element: id,
      kind: 'type',
      impact: sameUnversioned(ta, tb) ? 'compatible' : removed.length ? 'senders' : 'receivers',
      before: list(ta),
      after: list(tb),
    });

  const [pa, pb] = [targets(a), targets(b)];
  // No target profile means "any": adding the first one narrows, removing the last one widens.
  const [va, vb] = [unversioned(pa), unversioned(pb)];
  const narrowed = (va.length === 0 && vb.length > 0) || va.some((p) => vb.length > 0 && !vb.includes(p));
  if (list(pa) !== list(pb))
    out.push({
      element: id,
      kind: 'target-profile',
      impact: sameUnversioned(pa, pb) ? 'compatible' : narrowed ? 'senders' : 'receivers',
      before: list(pa),
      after: list(pb),
    });

  const [fa, fb] = [fixedText(a), fixedText(b)];
  if (fa !== fb) {
    // the same value, fixed (exactly) ↔ pattern (at least): only the strictness changes
    const sameValue = a.fixed && b.fixed && JSON.stringify(a.fixed.value) === JSON.stringify(b.fixed.value);
    const impact: Impact = sameValue ? (b.fixed!.kind === 'fixed' ? 'senders' : 'receivers') : fb ? 'senders' : 'receivers';
    out.push({ element: id, kind: 'fixed', impact, before: fa, after: fb });
  }

  const ba = a.binding ? `${a.binding.strength} ${a.binding.valueSet ?? ''}`.trim() : undefined;
  const bb = b.binding ? `${b.binding.strength} ${b.binding.valueSet ?? ''}`.trim() : undefined;
  if (ba !== bb) {
    const sa = STRENGTH_ORDER.indexOf(a.binding?.strength ?? 'example');
    const sb = STRENGTH_ORDER.indexOf(b.binding?.strength ?? 'example');
    const vsChanged = (a.binding?.valueSet?.split('|')[0] ?? '') !== (b.binding?.valueSet?.split('|')[0] ?? '');
    const binding = (b.binding?.strength === 'required' || b.binding?.strength === 'extensible') && (vsChanged || sb > sa);
    out.push({ element: id, kind: 'binding', impact: binding ? 'senders' : sb < sa ? 'receivers' : 'compatible', before: ba, after: bb });
  }

  const ca = new Map(a.constraints.map((c) => [c.key, c]));
  const cb = new Map(b.constraints.map((c) => [c.key, c]));
  for (const [key, c] of cb) {
    const old = ca.get(key);
    if (!old)
      out.push({ element: id, kind: 'constraint', impact: c.severity === 'error' ? 'senders' : 'compatible', after: `${key}: ${c.expression ?? c.human}` });
    else if ((old.expression ?? '') !== (c.expression ?? '') || old.severity !== c.severity) {
      out.push({
        element: id,
        kind: 'constraint',
        impact: c.severity === 'error' ? 'senders' : 'compatible',
        before: `${key} (${old.severity}): ${old.expression ?? ''}`,
        after: `${key} (${c.severity}): ${c.expression ?? ''}`,
      });
    }
  }
  for (const [key, c] of ca)
    if (!cb.has(key))
      out.push({ element: id, kind: 'constraint', impact: c.severity === 'error' ? 'receivers' : 'compatible', before: `${key}: ${c.expression ?? c.human}` });

  const sl = (n: ElementNode) =>
    n.slicing
      ? `${n.slicing.rules} by ${n.slicing.discriminator.map((d) => `${d.type}:${d.path}`).join(', ')}${n.slicing.ordered ? ', ordered' : ''}`
      : undefined;
  const [la, lb] = [sl(a), sl(b)];
  if (la !== lb) {
    const closedNow = b.slicing?.rules === 'closed' && a.slicing?.rules !== 'closed';
    const openedNow = a.slicing?.rules === 'closed' && b.slicing?.rules !== 'closed';
    out.push({
      element: id,
      kind: 'slicing',
      impact: closedNow || (a.slicing && b.slicing && !openedNow) ? 'senders' : openedNow ? 'receivers' : 'compatible',
      before: la,
      after: lb,
    });
  }
  if (Boolean(a.def.mustSupport) !== Boolean(b.def.mustSupport))
    out.push({
      element: id,
      kind: 'must-support',
      impact: 'compatible',
      before: String(Boolean(a.def.mustSupport)),
      after: String(Boolean(b.def.mustSupport)),
    });
}

/** The differences between two versions of one profile (both with snapshots). */
export function diffProfile(before: ProfileTree, after: ProfileTree): ElementChange[] {
  const out: ElementChange[] = [];
  for (const [id, b] of after.byId) {
    const a = before.byId.get(id);
    if (a) compareElements(a, b, out);
    else
      out.push({
        element: id,
        kind: 'element-added',
        impact: b.min > 0 && (!b.parent || b.parent.min > 0 || b.parent === after.root) ? 'senders' : 'compatible',
        after: `${b.min}..${card(b.max)}`,
      });
  }
  for (const [id, a] of before.byId) {
    if (!after.byId.has(id))
      out.push({ element: id, kind: 'element-removed', impact: a.min > 0 ? 'receivers' : 'compatible', before: `${a.min}..${card(a.max)}` });
  }
  return out;
}

const countsOf = (changes: ElementChange[]): Record<Impact, number> => ({
  senders: changes.filter((c) => c.impact === 'senders').length,
  receivers: changes.filter((c) => c.impact === 'receivers').length,
  compatible: changes.filter((c) => c.impact === 'compatible').length,
});

/**
 * Compares two sets of StructureDefinitions by canonical url: profiles added, removed, and the
 * changes of each one present in both. Definitions without a snapshot are skipped. Sorted by url.
 */
export function diffProfiles(before: StructureDefinitionJson[], after: StructureDefinitionJson[]): ProfileDiff[] {
  const byUrl = (sds: StructureDefinitionJson[]) => new Map(sds.filter((sd) => sd.url && sd.snapshot?.element?.length).map((sd) => [sd.url, sd]));
  const [a, b] = [byUrl(before), byUrl(after)];
  const urls = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: ProfileDiff[] = [];
  for (const url of urls) {
    const [sa, sb] = [a.get(url), b.get(url)];
    let changes: ElementChange[];
    if (!sa) changes = [{ element: url, kind: 'profile-added', impact: 'compatible', after: sb!.version }];
    else if (!sb) changes = [{ element: url, kind: 'profile-removed', impact: 'senders', before: sa.version }];
    else changes = diffProfile(buildTree(sa), buildTree(sb));
    if (changes.length) out.push({ url, name: (sb ?? sa)!.name, changes, counts: countsOf(changes) });
  }
  return out;
}

/** The counts of one profile's changes, as `mes-fhir diff` and codegen print them. */
export const countsText = (c: Record<Impact, number>): string =>
  `${c.senders} breaking for senders, ${c.receivers} breaking for receivers, ${c.compatible} compatible`;

/** The profiles (constraint StructureDefinitions) among resources: what a diff compares. */
export const constraintProfiles = (resources: unknown[]): StructureDefinitionJson[] =>
  resources.filter(
    (r): r is StructureDefinitionJson =>
      (r as StructureDefinitionJson)?.resourceType === 'StructureDefinition' && (r as StructureDefinitionJson).derivation === 'constraint',
  );

/** Whether a diff holds a change that can break senders or receivers. */
export const isBreaking = (diffs: ProfileDiff[]): boolean => diffs.some((d) => d.counts.senders > 0 || d.counts.receivers > 0);
