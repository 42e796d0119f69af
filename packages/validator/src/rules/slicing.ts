/**
 * Slicing: each item of a sliced element matched to its slice by the discriminators (value,
 * pattern, type, profile, exists; `resolve()` into the Bundle or contained resources), then the
 * slicing's rules (closed, openAtEnd, ordered) and each slice's cardinality. An item is also walked
 * against its slice's own definition.
 */
import { isObject, matchesPattern } from '@mes-fhir/core';
import { discriminatorValues, type ElementNode } from '@mes-fhir/profile-model';
import type { ValidationContext } from '../context.js';
import { typeOfSuffix } from '../invariants/r4-model.js';
import type { ElementPlace } from '../plans/element-lookup.js';
import type { ProfilePlans } from '../plans/profile-plans.js';
import { resolveLocal } from './reference.js';

/** The walk of one item against its slice's definition (the walker). */
export interface SliceItemWalker {
  walkSliceItem(ctx: ValidationContext, item: unknown, slice: ElementNode, sliced: ElementNode, location: string, depth: number, place: ElementPlace): void;
}

interface SliceMatcher {
  slice: ElementNode;
  /** The value each discriminator expects (by the discriminator's index; undefined: none), with its path's steps. */
  values: Array<{ value: unknown; steps: string[] } | undefined>;
}

/** A slicing by one value at one path where every slice expects a primitive there (extensions by url, meta.profile by canonical). */
interface SliceByValue {
  steps: string[];
  first: Map<unknown, number>;
}

export class SlicingRule {
  private readonly matchers = new WeakMap<ElementNode, SliceMatcher[]>();
  private readonly byValue = new WeakMap<ElementNode, SliceByValue | null>();
  /** Per-slice counts, reused: each check takes a buffer and gives it back zeroed. */
  private readonly countBuffers: Int32Array[] = [];

  constructor(
    private readonly plans: ProfilePlans,
    private readonly walker: SliceItemWalker,
  ) {}

  /** The items of a sliced element, at their locations. */
  check(ctx: ValidationContext, items: unknown[], locations: string[], sliced: ElementNode, at: string, depth: number, place: ElementPlace): void {
    const rules = sliced.slicing!.rules;
    const slices = sliced.slices;
    let counts = this.countBuffers.pop();
    if (!counts || counts.length < slices.length) counts = new Int32Array(Math.max(64, slices.length));
    let lastIndex = -1;
    let sawUnmatched = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const sliceIndex = this.sliceIndexFor(ctx, item, sliced);
      if (sliceIndex < 0) {
        sawUnmatched = true;
        if (rules === 'closed') ctx.report('slice-none-closed', locations[i]!, sliced.path, slices.map((s) => s.sliceName).join(', '));
        continue;
      }
      const slice = slices[sliceIndex]!;
      if (sliced.slicing!.ordered && sliceIndex < lastIndex) ctx.report('slice-out-of-order', locations[i]!, String(slice.sliceName), sliced.path);
      if (rules === 'openAtEnd' && sawUnmatched) ctx.report('slice-open-at-end', locations[i]!, sliced.path);
      lastIndex = Math.max(lastIndex, sliceIndex);
      counts[sliceIndex]! += 1;
      this.walker.walkSliceItem(ctx, item, slice, sliced, locations[i]!, depth, place);
    }
    for (let i = 0; i < slices.length; i++) {
      const slice = slices[i]!;
      const n = counts[i]!;
      counts[i] = 0;
      if (n < slice.min) ctx.report('slice-min', at, `${sliced.path}:${slice.sliceName}`, slice.min, n);
      if (n > slice.max) ctx.report('slice-max', at, `${sliced.path}:${slice.sliceName}`, slice.max, n);
    }
    this.countBuffers.push(counts);
  }

  /** Per slice, the value each discriminator expects, with its path's steps. */
  private matchersOf(sliced: ElementNode): SliceMatcher[] {
    let m = this.matchers.get(sliced);
    if (!m) {
      const discriminators = sliced.slicing?.discriminator ?? [];
      m = sliced.slices.map((slice) => {
        const values = discriminatorValues(this.plans.model, sliced, slice);
        return {
          slice,
          values: discriminators.map((d) => {
            const expected = values.find((v) => v.path === d.path);
            return expected ? { value: expected.value, steps: d.path.split('.').filter((step) => step !== '$this') } : undefined;
          }),
        };
      });
      this.matchers.set(sliced, m);
    }
    return m;
  }

  /** Each value to the first slice that expects it, once per slicing; null when the slicing is not by one primitive value. */
  private sliceByValue(sliced: ElementNode): SliceByValue | null {
    let index = this.byValue.get(sliced);
    if (index === undefined) {
      index = null;
      const discriminators = sliced.slicing?.discriminator ?? [];
      const expected = this.matchersOf(sliced).map((m) => m.values[0]);
      const primitive = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
      if (
        discriminators.length === 1 &&
        (discriminators[0]!.type === 'value' || discriminators[0]!.type === 'pattern') &&
        expected.every((e) => e && primitive(e.value))
      ) {
        const first = new Map<unknown, number>();
        expected.forEach((e, i) => {
          if (!first.has(e!.value)) first.set(e!.value, i);
        });
        index = { steps: expected[0]?.steps ?? [], first };
      }
      this.byValue.set(sliced, index);
    }
    return index;
  }

  /** The index of the first slice an item fits, or -1. */
  private sliceIndexFor(ctx: ValidationContext, item: unknown, sliced: ElementNode): number {
    const byValue = this.sliceByValue(sliced);
    if (byValue) {
      let first = -1;
      someValueAt(item, byValue.steps, (v) => {
        const i = byValue.first.get(v);
        if (i !== undefined && (first < 0 || i < first)) first = i;
        return false;
      });
      return first;
    }
    const discriminators = sliced.slicing?.discriminator ?? [];
    const matchers = this.matchersOf(sliced);
    for (let m = 0; m < matchers.length; m++) {
      const { slice, values } = matchers[m]!;
      let ok = discriminators.length > 0;
      for (let k = 0; k < discriminators.length; k++) {
        const d = discriminators[k]!;
        if (d.type === 'value' || d.type === 'pattern') {
          const expected = values[k];
          // A slice that sets no value at this path is not restricted by it (MHD's Documents slice
          // accepts any request.method), unless it is the only discriminator.
          if (expected ? !someValueAt(item, expected.steps, (v) => matchesPattern(v, expected.value)) : discriminators.length === 1) ok = false;
        } else if (d.type === 'type') {
          // The item's type at the path: a resource's resourceType, a choice's type suffix, a resolved reference's target
          const typeCodes = this.sliceElementAt(slice, d.path)?.types.map((t) => t.code) ?? slice.types.map((t) => t.code);
          if (!this.typedValuesAt(ctx, item, d.path).some((v) => v.type !== undefined && typeCodes.some((code) => this.plans.isTypeOrSubtype(v.type!, code))))
            ok = false;
        } else if (d.type === 'profile') {
          const profiles = (this.sliceElementAt(slice, d.path) ?? slice).types.flatMap((t) => (d.path.endsWith('resolve()') ? t.targetProfiles : t.profiles));
          if (!this.typedValuesAt(ctx, item, d.path).some((v) => profiles.some((p) => ctx.revalidation.conformsTo(v.value, v.type, p)))) ok = false;
        } else if (d.type === 'exists') {
          // `extension('url')` paths name the extension of that url (FrCore's e-mail type, say)
          const ext = /^extension\('([^']+)'\)$/.exec(d.path)?.[1];
          const at = ext ? this.extensionSliceOf(slice, ext) : this.sliceElementAt(slice, d.path);
          const exists = ext
            ? isObject(item) && Array.isArray(item.extension) && item.extension.some((e) => isObject(e) && e.url === ext)
            : someValueAt(
                item,
                d.path.split('.').filter((s) => s !== '$this'),
                () => true,
              );
          if (at && ((at.min > 0 && !exists) || (at.max === 0 && exists))) ok = false;
        } else ok = false;
        if (!ok) break;
      }
      if (ok) return m;
    }
    return -1;
  }

  /**
   * The values at a discriminator path with their FHIR type where the JSON tells it: a resource's
   * resourceType, a choice's type suffix (`valueQuantity` → Quantity); `resolve()` follows a
   * reference into the enclosing Bundle or the contained resources.
   */
  private typedValuesAt(ctx: ValidationContext, item: unknown, path: string): Array<{ value: unknown; type?: string }> {
    // resolve() reads the enclosing resources, and profile checks validate what they find
    ctx.contextReads++;
    let current: Array<{ value: unknown; type?: string }> = [
      { value: item, type: isObject(item) && typeof item.resourceType === 'string' ? item.resourceType : undefined },
    ];
    for (const step of path.split('.')) {
      if (step === '$this') continue;
      const next: Array<{ value: unknown; type?: string }> = [];
      for (const { value } of current) {
        if (!isObject(value)) continue;
        if (step === 'resolve()') {
          const target = typeof value.reference === 'string' ? resolveLocal(ctx, value.reference) : undefined;
          if (target) next.push({ value: target, type: typeof target.resourceType === 'string' ? target.resourceType : undefined });
          continue;
        }
        for (const key of Object.keys(value)) {
          const choiceType = key.length > step.length && key.startsWith(step) && /^[A-Z]/.test(key.slice(step.length)) ? key.slice(step.length) : undefined;
          if (key !== step && !choiceType) continue;
          for (const v of Array.isArray(value[key]) ? (value[key] as unknown[]) : [value[key]]) {
            if (v === null || v === undefined) continue;
            const type = isObject(v) && typeof v.resourceType === 'string' ? v.resourceType : choiceType && typeOfSuffix(choiceType);
            next.push({ value: v, type });
          }
        }
      }
      current = next;
    }
    return current;
  }

  /** The extension slice below a slice that is the extension of a given url. */
  private extensionSliceOf(slice: ElementNode, url: string): ElementNode | undefined {
    const extension = this.plans.model.childrenFor(slice, slice.types[0]).find((c) => c.name === 'extension');
    return extension?.slices.find((s) => s.types.some((t) => t.profiles.includes(url)));
  }

  private sliceElementAt(slice: ElementNode, path: string): ElementNode | undefined {
    if (path === '$this') return slice;
    let current: ElementNode | undefined = slice;
    for (const part of path.split('.')) {
      if (!current) return undefined;
      current = this.plans.model.childrenFor(current, current.types[0]).find((c) => c.name === part || c.name === `${part}[x]`);
    }
    return current;
  }
}

/** Whether a test holds for some value at a path's steps below a value (arrays flattened; slicing asks for every item, so no lists are built). */
export function someValueAt(value: unknown, steps: string[], test: (v: unknown) => boolean, from = 0): boolean {
  if (from === steps.length) return test(value);
  if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, steps[from]!)) return false;
  const x = value[steps[from]!];
  if (!Array.isArray(x)) return x !== undefined && x !== null && someValueAt(x, steps, test, from + 1);
  for (let i = 0; i < x.length; i++) if (x[i] !== undefined && x[i] !== null && someValueAt(x[i], steps, test, from + 1)) return true;
  return false;
}
