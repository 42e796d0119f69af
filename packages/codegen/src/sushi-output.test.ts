import { describe, expect, it } from 'vitest';
import { parseSushiOutput } from './steps/sushi.js';
import { SushiError, formatDiagnostic } from './errors.js';

const SAMPLE = `info  Importing FSH text...
error Cannot constrain cardinality to 1..*, as it does not fit within the original 2..* cardinality.
  File: /p/fsh/input/fsh/common/rulesets.fsh
  Line: 19
  Applied in File: /p/fsh/input/fsh/mesures/profiles.fsh
  Applied on Line: 111
warn  Failed to load automatically-provided hl7.fhir.uv.tools.r4#latest from custom FHIR package registry http://127.0.0.1:9.
info  Converted 13 FHIR StructureDefinitions.
\u001b[31merror\u001b[39m Unexpected input
  File: /p/fsh/input/fsh/broken.fsh
  Line: 3
========================= SUSHI RESULTS ===========================
| Ick! Errors!                           2 Errors      1 Warnings |
`;

describe('parseSushiOutput', () => {
  it('collects errors and warnings with their FSH file and line', () => {
    const diagnostics = parseSushiOutput(SAMPLE, '/p');
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'fsh/input/fsh/common/rulesets.fsh:19: error: Cannot constrain cardinality to 1..*, as it does not fit within the original 2..* cardinality. (applied in fsh/input/fsh/mesures/profiles.fsh:111)',
      'warn: Failed to load automatically-provided hl7.fhir.uv.tools.r4#latest from custom FHIR package registry http://127.0.0.1:9.',
      'fsh/input/fsh/broken.fsh:3: error: Unexpected input',
    ]);
  });

  it('builds an error message listing every SUSHI error as file:line', () => {
    const error = new SushiError(parseSushiOutput(SAMPLE, '/p'), 2, SAMPLE);
    expect(error.step).toBe('sushi');
    expect(error.message).toMatch(/SUSHI failed with 2 error\(s\)/);
    expect(error.message).toContain('fsh/input/fsh/broken.fsh:3: error: Unexpected input');
  });

  it('shows the end of the output when SUSHI crashed without an error line', () => {
    const error = new SushiError([], 1, 'TypeError: boom\n    at x');
    expect(error.message).toContain('SUSHI exited with code 1');
    expect(error.message).toContain('TypeError: boom');
  });
});
