import type { StructureModel } from '@mes-fhir/profile-model';

const REGEX_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/regex';
const INT32 = { min: -2147483648, max: 2147483647 };

export type PrimitiveCheck = (value: unknown) => string | undefined;

/**
 * Checks of FHIR primitive values in JSON: the JSON type, numeric ranges, and the regular
 * expression the R4 definition of each type declares (read from the loaded package, once).
 */
export class PrimitiveChecks {
  private readonly checks = new Map<string, PrimitiveCheck>();

  constructor(private readonly model: StructureModel) {}

  get(type: string): PrimitiveCheck {
    let check = this.checks.get(type);
    if (!check) {
      check = this.build(type);
      this.checks.set(type, check);
    }
    return check;
  }

  private build(type: string): PrimitiveCheck {
    switch (type) {
      case 'boolean':
        return (v) => (typeof v === 'boolean' ? undefined : `boolean expected, got ${describe(v)}`);
      case 'decimal':
        return (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `number expected, got ${describe(v)}`);
      case 'integer':
      case 'positiveInt':
      case 'unsignedInt': {
        const min = type === 'positiveInt' ? 1 : type === 'unsignedInt' ? 0 : INT32.min;
        return (v) => {
          if (typeof v !== 'number' || !Number.isInteger(v)) return `integer expected, got ${describe(v)}`;
          if (v < min || v > INT32.max) return `${v} is out of range for ${type}`;
          return undefined;
        };
      }
      default: {
        const regex = this.regexOf(type);
        const calendar = type === 'date' || type === 'dateTime' || type === 'instant';
        return (v) => {
          if (typeof v !== 'string') return `string expected for ${type}, got ${describe(v)}`;
          if (v.length === 0) return `empty value for ${type}`;
          if (v.length > 1_048_576) return `${type} value is longer than 1 MiB`;
          if (regex && !regex.test(v)) return `"${v.length > 80 ? `${v.slice(0, 80)}…` : v}" is not a valid ${type}`;
          if (calendar && !realDate(v)) return `"${v}" is not a valid ${type}: no such day`;
          if (type === 'xhtml') return checkXhtml(v);
          return undefined;
        };
      }
    }
  }

  private regexOf(type: string): RegExp | undefined {
    const code = type === 'http://hl7.org/fhirpath/System.String' ? 'string' : type;
    const valueElement = this.model.typeTree(code)?.byId.get(`${code}.value`);
    const ext = (valueElement?.def.type?.[0]?.extension as Array<{ url: string; valueString?: string }> | undefined)?.find((e) => e.url === REGEX_EXTENSION);
    // FHIR strings must contain a non-whitespace character; their R4 regex says so too.
    if (code === 'string' || code === 'markdown') return /\S/;
    return ext?.valueString ? new RegExp(`^(?:${ext.valueString})$`) : undefined;
  }
}

/** The regexes accept 2026-02-30; a calendar does not. */
function realDate(v: string): boolean {
  // the format is already checked: YYYY-MM-DD at the start, or a shorter date with no day to check
  if (v.length < 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return true;
  const d = Number(v.slice(8, 10));
  if (!(d > 28)) return true; // every month has 28 days (and NaN is not a day to judge here)
  return d <= new Date(Date.UTC(Number(v.slice(0, 4)), Number(v.slice(5, 7)), 0)).getUTCDate();
}

/** Narrative: a div in the XHTML namespace (the Java validator refuses others). */
function checkXhtml(v: string): string | undefined {
  const start = /^\s*<div(\s[^>]*)?>/.exec(v);
  if (!start) return 'the narrative must be a <div> element';
  if (!/xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml["']/.test(start[1] ?? '')) return 'the narrative <div> must be in the XHTML namespace (xmlns="http://www.w3.org/1999/xhtml")';
  if (/<script[\s>]/i.test(v)) return 'the narrative must not contain scripts';
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
