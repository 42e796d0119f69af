/**
 * Validation at scale: NDJSON streamed by `mes-fhir validate` (files and standard input), worker
 * threads giving the same output in the same order as one thread, and the library's
 * `validateAll` over an async iterable.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { Validator, isValid } from '@mes-fhir/validator';
import { CLI, REPO_ROOT, loadRepoIndex, runCli } from './helpers/repo.js';

const scratch = mkdtempSync(join(tmpdir(), 'mes-scale-test-'));
const weight = JSON.parse(readFileSync(join(REPO_ROOT, 'generated', 'fhir', 'example', 'Observation-ExampleBodyWeight.json'), 'utf8'));
/** Line i: every 7th has an unknown status, every 11th is not JSON. */
const line = (i: number) =>
  i % 11 === 10 ? '{"resourceType": "Observation",' : JSON.stringify({ ...weight, id: `w${i}`, status: i % 7 === 6 ? 'done' : 'final' });
const LINES = 3000;
const expectedInvalid = Array.from({ length: LINES }, (_, i) => i % 7 === 6 || i % 11 === 10).filter(Boolean).length;
let file: string;

beforeAll(() => {
  file = join(scratch, 'weights.ndjson');
  writeFileSync(file, Array.from({ length: LINES }, (_, i) => line(i)).join('\n') + '\n');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('mes-fhir validate on NDJSON', () => {
  it('gives the same outcomes, in input order, with worker threads as with one thread', async () => {
    const one = await runCli(['validate', file, '--format', 'json', '--workers', '1']);
    const two = await runCli(['validate', file, '--format', 'json', '--workers', '2']);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    const outcomes = one.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(outcomes).toHaveLength(LINES);
    expect(outcomes.filter((o) => !isValid(o))).toHaveLength(expectedInvalid);
    expect(isValid(outcomes[6])).toBe(false);
    expect(outcomes[10].issue[0].details.text).toMatch(/^not valid JSON/);
    expect(one.stderr).toMatch(
      new RegExp(`^${LINES} resources: ${LINES - expectedInvalid} valid, ${expectedInvalid} invalid; .* \\(\\d+\\.\\ds, \\d+/s, peak RSS \\d+ MiB\\)$`, 'm'),
    );
  });

  it('streams NDJSON from standard input', async () => {
    const child = spawn(process.execPath, [CLI, 'validate', '-', '--format', 'json'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 500; i++) child.stdin.write(`${line(i)}\n`);
    child.stdin.end();
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toHaveLength(500);
  });

  it('refuses a bad --workers value', async () => {
    const bad = await runCli(['validate', file, '--workers', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--workers is auto or a number of threads');
  });
});

describe('Validator.validateAll', () => {
  it('validates an async iterable in order, one resource at a time', async () => {
    const { packages } = await loadRepoIndex();
    const validator = new Validator(indexFolders(projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir'))));
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 200; i++) {
        produced++;
        yield { ...weight, id: `w${i}`, status: i % 7 === 6 ? 'done' : 'final' };
      }
    }
    const verdicts: boolean[] = [];
    for await (const outcome of validator.validateAll(source())) {
      // pulled one by one: the source is never more than one resource ahead
      expect(produced).toBe(verdicts.length + 1);
      verdicts.push(isValid(outcome));
    }
    expect(verdicts).toEqual(Array.from({ length: 200 }, (_, i) => i % 7 !== 6));
  });
});
