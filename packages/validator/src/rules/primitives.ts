/**
 * FHIR primitive values in JSON: the JSON type, numeric ranges, the regular expression the R4
 * definition of each type declares (read from the loaded package, once), calendar dates, resource
 * ids, and no example URL in a url or canonical (the narrative's XHTML: rules/narrative.ts).
 */
import { forbiddenControlCharacter, isBase64Binary } from '@mes-fhir/core';
import type { StructureModel } from '@mes-fhir/profile-model';
import type { MessageId } from '../messages.js';
import { isExampleUrl } from './coding.js';
import type { ValidatorSettings } from '../validator.js';

const REGEX_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/regex';
const INT32 = { min: -2147483648, max: 2147483647 };

/** What is wrong with a primitive value: a message of the catalogue and its arguments. */
export interface PrimitiveProblem {
  id: MessageId;
  args: Array<string | number>;
}
export type PrimitiveCheck = (value: unknown) => PrimitiveProblem | undefined;

const problem = (id: MessageId, ...args: Array<string | number>): PrimitiveProblem => ({ id, args });

/** The longest primitive value accepted (characters), as the HL7 validator bounds them. */
export const MAX_PRIMITIVE_LENGTH = 1_048_576;

/** A resource id: 1 to 64 letters, digits, '-' or '.' (the R4 `id` type). */
export const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export class PrimitiveChecks {
  private readonly checks = new Map<string, PrimitiveCheck>();

  constructor(
    private readonly model: StructureModel,
    private readonly settings: ValidatorSettings = {},
  ) {}

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
        return (v) => (typeof v === 'boolean' ? undefined : problem('primitive-json-type', 'boolean', describe(v)));
      case 'decimal':
        return (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : problem('primitive-json-type', 'number', describe(v)));
      case 'integer':
      case 'positiveInt':
      case 'unsignedInt': {
        const min = type === 'positiveInt' ? 1 : type === 'unsignedInt' ? 0 : INT32.min;
        return (v) => {
          if (typeof v !== 'number' || !Number.isInteger(v)) return problem('primitive-json-type', 'integer', describe(v));
          if (v < min || v > INT32.max) return problem('primitive-out-of-range', v, type);
          return undefined;
        };
      }
      default: {
        // base64Binary: the R4 regex backtracks exponentially on a failing value; checked in one pass instead
        const regex = type === 'base64Binary' ? { test: isBase64Binary } : this.regexOf(type);
        const calendar = type === 'date' || type === 'dateTime' || type === 'instant';
        // a url or a canonical names something real (a uri may be an identifier: fullUrl, system values)
        const exampleMatters = !this.settings.allowExampleUrls && (type === 'url' || type === 'canonical');
        return (v) => {
          if (typeof v !== 'string') return problem('primitive-json-type', `string for ${type}`, describe(v));
          if (v.length === 0) return problem('primitive-empty', type);
          if (v.length > MAX_PRIMITIVE_LENGTH) return problem('primitive-too-long', type);
          // every primitive written as a JSON string is a FHIR string: no control character but tab, CR, LF
          const control = forbiddenControlCharacter(v);
          if (control) return problem('primitive-control-character', type, control);
          if (regex && !regex.test(v)) return problem('primitive-format', v, type);
          if (calendar && !realDate(v)) return problem('date-no-such-day', v, type);
          if (exampleMatters && isExampleUrl(v)) return problem('url-example', v);
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

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
