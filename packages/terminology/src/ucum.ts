import ucumLhc from '@lhncbc/ucum-lhc';

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

interface UcumUtils {
  validateUnitString(
    unit: string,
    suggest?: boolean,
  ): {
    status: 'valid' | 'invalid' | 'error';
    ucumCode: string | null;
    unit?: { name?: string };
    msg?: string[];
    suggestions?: Array<{ units: Array<[string, string, string]> }>;
  };
  convertUnitTo(from: string, value: number, to: string): { status: string; toVal?: number; msg?: string[] };
}

// @lhncbc/ucum-lhc ships CommonJS only and no types (see ucum-lhc.d.ts): its exports are the default import, in Node and in bundlers.
const library = (ucumLhc as { UcumLhcUtils: { getInstance(): UcumUtils } }).UcumLhcUtils.getInstance();

/**
 * The library, with console.log silenced while it runs: it logs the errors it catches on some
 * codes (`[()%kg`), which would corrupt the output of a command that prints JSON.
 */
const ucum: UcumUtils = {
  validateUnitString: (unit, suggest) => quietly(() => library.validateUnitString(unit, suggest)),
  convertUnitTo: (from, value, to) => quietly(() => library.convertUnitTo(from, value, to)),
};
function quietly<T>(run: () => T): T {
  const log = console.log;
  console.log = () => undefined;
  try {
    return run();
  } finally {
    console.log = log;
  }
}

export interface UcumCheck {
  valid: boolean;
  /** The unit's name when valid (e.g. "kilogram"). */
  name?: string;
  message?: string;
  /** Valid UCUM codes the library proposes for an invalid one. */
  suggestions?: string[];
}

const checks = new Map<string, UcumCheck>();
/** Distinct codes remembered at most: a server that validates for months must not grow without end. */
const MAX_CHECKS = 10_000;
/**
 * Longer codes are refused without the library, whose parser takes seconds on long hostile codes
 * (80 KB of "m." took 16 s): real UCUM codes are a few dozen characters.
 */
export const MAX_UCUM_CODE_LENGTH = 128;

/** Validates a UCUM unit code (case-sensitive form) with the UCUM library; results are cached. */
export function validateUcum(code: string): UcumCheck {
  let check = checks.get(code);
  if (check) return check;
  if (code.length > MAX_UCUM_CODE_LENGTH) {
    // not remembered: each one would hold its long string
    return { valid: false, message: `"${code.slice(0, 40)}…" is not a valid UCUM code: longer than ${MAX_UCUM_CODE_LENGTH} characters` };
  }
  if (code.trim() === '' || code !== code.trim()) {
    check = { valid: false, message: `"${code}" is not a valid UCUM code: empty or surrounded by spaces` };
  } else {
    // Without suggestions: the library builds its synonym table (tens of ms) on the first request for them.
    const result = ucum.validateUnitString(code, false);
    // The library also accepts some case-insensitive spellings; UCUM codes in FHIR are the case-sensitive ones.
    if (result.status === 'valid' && result.ucumCode === code) {
      check = { valid: true, name: typeof result.unit?.name === 'string' ? result.unit.name : undefined };
    } else {
      const closest = result.ucumCode && result.ucumCode !== code ? result.ucumCode : undefined;
      let suggestions: string[] | undefined;
      check = {
        valid: false,
        message: closest ? `"${code}" is not a valid UCUM code; did you mean "${closest}"?` : `"${code}" is not a valid UCUM code`,
        // asked for only by callers that show them (a validation reads the message)
        get suggestions() {
          if (!suggestions) {
            const proposed = (ucum.validateUnitString(code, true).suggestions ?? []).flatMap((s) => s.units.map((u) => u[0]));
            suggestions = closest ? [closest, ...proposed] : proposed;
          }
          return suggestions;
        },
      };
    }
  }
  if (checks.size >= MAX_CHECKS) checks.clear();
  checks.set(code, check);
  return check;
}

/** Converts a value between two commensurable UCUM units; undefined when they are not (or a code is longer than UCUM codes are). */
export function convertUcum(value: number, from: string, to: string): number | undefined {
  if (from.length > MAX_UCUM_CODE_LENGTH || to.length > MAX_UCUM_CODE_LENGTH) return undefined;
  const result = ucum.convertUnitTo(from, value, to);
  return result.status === 'succeeded' ? result.toVal : undefined;
}

/** Whether two UCUM units measure the same kind of quantity (mg/dL and g/L, not kg and cm). */
export function ucumCommensurable(a: string, b: string): boolean {
  return convertUcum(1, a, b) !== undefined;
}
