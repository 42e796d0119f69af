/**
 * Rules on a value itself: fixed and pattern values, minValue/maxValue and maxLength, the size an
 * Attachment states, and the UCUM code of a Quantity.
 */
import { deepEqual, isObject, matchesPattern, type Json } from '@mes-fhir/core';
import { attachedBytes } from '@mes-fhir/cda';
import type { ElementNode } from '@mes-fhir/profile-model';
import { UCUM_SYSTEM, convertUcum, validateUcum } from '@mes-fhir/terminology';
import type { ValidationContext } from '../context.js';
import type { ValueCheck } from '../plans/value-plan.js';
import { MAX_PRIMITIVE_LENGTH } from './primitives.js';

/** minValue/maxValue (numbers, dates, Quantities of the same unit) and maxLength of an element. */
export interface Limits {
  maxLength?: number;
  bounds: Array<{ isMin: boolean; limit: unknown }>;
}

/** An element's limits, or null when it has none (read once per element, by its value plan). */
export function readLimits(node: ElementNode): Limits | null {
  const def = node.def as Record<string, unknown>;
  const bounds = Object.entries(def)
    .filter(([key]) => key.startsWith('minValue') || key.startsWith('maxValue'))
    .map(([key, limit]) => ({ isMin: key.startsWith('minValue'), limit }));
  return typeof def.maxLength === 'number' || bounds.length ? { maxLength: typeof def.maxLength === 'number' ? def.maxLength : undefined, bounds } : null;
}

/** The check of a fixed value (exactly equal) or a pattern (at least its content), made once per element. */
export function fixedValueCheck(rule: { rule: 'fixed' | 'pattern'; value: unknown; json: string }): ValueCheck {
  const expected = rule.value;
  if (rule.rule === 'fixed') {
    return (ctx, value, location) => {
      if (!deepEqual(value, expected)) ctx.report('fixed-value', location, rule.json);
    };
  }
  return (ctx, value, location) => {
    if (!matchesPattern(value, expected)) ctx.report('pattern-value', location, rule.json);
  };
}

/** The check of an element's minValue/maxValue and maxLength, made once per element. */
export function limitsCheck(limits: Limits): ValueCheck {
  return (ctx, value, location) => checkLimits(ctx, limits, value, location);
}

export function checkLimits(ctx: ValidationContext, limits: Limits, value: unknown, location: string): void {
  if (limits.maxLength !== undefined && typeof value === 'string' && [...value].length > limits.maxLength) {
    ctx.report('max-length', location, [...value].length, limits.maxLength);
  }
  for (const { isMin, limit } of limits.bounds) {
    const compared = compareLimit(value, limit);
    if (compared === undefined) continue;
    if (isMin ? compared < 0 : compared > 0) ctx.report(isMin ? 'below-min-value' : 'above-max-value', location, JSON.stringify(value), JSON.stringify(limit));
  }
}

/** value compared with a limit: negative below, positive above; undefined when not comparable. */
function compareLimit(value: unknown, limit: unknown): number | undefined {
  if (typeof value === 'number' && typeof limit === 'number') return value - limit;
  if (typeof value === 'string' && typeof limit === 'string' && /^\d{4}/.test(value) && /^\d{4}/.test(limit)) {
    // dates and times at the same precision compare as text; otherwise as instants when both parse
    if (value.length === limit.length) return value < limit ? -1 : value > limit ? 1 : 0;
    const a = Date.parse(value);
    const b = Date.parse(limit);
    return Number.isNaN(a) || Number.isNaN(b) ? undefined : a - b;
  }
  if (typeof value === 'string' && typeof limit === 'string' && /^\d{2}:\d{2}/.test(value) && /^\d{2}:\d{2}/.test(limit))
    return value < limit ? -1 : value > limit ? 1 : 0;
  if (isObject(value) && isObject(limit) && typeof value.value === 'number' && typeof limit.value === 'number') {
    if (limit.system !== undefined && value.system !== limit.system) return undefined;
    if (limit.code === undefined || value.code === limit.code) return value.value - limit.value;
    // UCUM units of one kind compare once converted (70000 g against a maximum of 50 kg)
    if (value.system !== UCUM_SYSTEM || typeof value.code !== 'string' || typeof limit.code !== 'string') return undefined;
    const converted = convertUcum(value.value, value.code, limit.code);
    return converted === undefined ? undefined : converted - limit.value;
  }
  return undefined;
}

/** Attachment.size is the size of the data it carries (base64-decoded). */
export function checkAttachmentSize(ctx: ValidationContext, value: Json, location: string): void {
  // data refused as too long is not decoded
  if (typeof value.data !== 'string' || typeof value.size !== 'number' || value.data.length > MAX_PRIMITIVE_LENGTH) return;
  const bytes = attachedBytes({ data: value.data });
  if (bytes && bytes.length !== value.size) ctx.report('attachment-size', location, value.size, bytes.length);
}

/** A Quantity's code, when its system is UCUM, is a valid UCUM expression. */
export function checkUcum(ctx: ValidationContext, quantity: Json, location: string): void {
  if (quantity.system !== UCUM_SYSTEM || typeof quantity.code !== 'string') return;
  const check = validateUcum(quantity.code);
  if (!check.valid) ctx.report('ucum-invalid', `${location}.code`, check.message ?? `"${quantity.code}" is not a valid UCUM code`);
}
