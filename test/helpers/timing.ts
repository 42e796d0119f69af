/**
 * Linear-time checks without wall-clock thresholds: a hostile input is timed against a benign
 * input of the same size, in the same run, and only their ratio is asserted.
 */
import { performance } from 'node:perf_hooks';

function medianTime(run: () => unknown, repeats: number): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
}

/**
 * How many times longer the hostile input takes than the benign one (median of a few runs, after
 * a warm-up; times under 5 ms count as 5 ms, where the clock and the JIT are noise). Work that
 * grows exponentially or polynomially with the input gives hundreds; linear work a few.
 */
export function timeRatio<T>(run: (input: T) => unknown, hostile: T, benign: T, repeats = 3): number {
  run(benign);
  run(hostile);
  const benignTime = medianTime(() => run(benign), repeats);
  const hostileTime = medianTime(() => run(hostile), repeats);
  return hostileTime / Math.max(benignTime, 5);
}

/** The bound the hostile-input tests assert: far above the noise of linear work, far below a blow-up. */
export const LINEAR_RATIO = 15;

/**
 * Strings of `length` characters that make backtracking regular expressions blow up: runs of one
 * character or of a short group (`AAAA ` as base64, `<div ` as markup, `1.` as a version…), each
 * ending with a character that fails the match late. Generated, never stored.
 */
export function adversarialStrings(length: number): string[] {
  const alphabet = [
    'A',
    'a',
    '0',
    '1',
    ' ',
    '-',
    '.',
    ':',
    '+',
    '/',
    '=',
    'T',
    'Z',
    '<',
    '>',
    '"',
    "'",
    '#',
    '_',
    '%',
    '\\',
    '&',
    ';',
    '|',
    ',',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    '*',
    '$',
    '@',
    '\n',
    '\t',
    'é',
  ];
  const pumps = new Set<string>();
  for (const c of alphabet) for (const p of [c, `${c} `, `${c.repeat(4)} `, `${c}.`, `a${c}`, `${c}0`, `<${c}`]) pumps.add(p);
  for (const p of ['<div ', '1.', '12:', 'a a', 'm.', '</', '<a ', '-1', 'http://', 'urn:oid:1.', '0.0', '--', '\r\n']) pumps.add(p);
  const out: string[] = [];
  for (const pump of pumps) for (const end of ['!', ' ', '\u0000', '']) out.push(pump.repeat(Math.ceil(length / pump.length)).slice(0, length) + end);
  return out;
}

/** The input on which `run` takes longest, each tried once (the caller times it again properly). */
export function slowestOf(run: (input: string) => unknown, inputs: string[]): string {
  let slowest = inputs[0]!;
  let worst = -1;
  for (const input of inputs) {
    const start = performance.now();
    run(input);
    const time = performance.now() - start;
    if (time > worst) [worst, slowest] = [time, input];
  }
  return slowest;
}
