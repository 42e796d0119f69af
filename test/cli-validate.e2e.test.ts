/** `mes-fhir validate`: inputs, formats, exit codes. */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/repo.js';

const EXAMPLES = join(REPO_ROOT, 'generated', 'fhir', 'example');
let work: string;
let weight: Record<string, any>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mes-fhir-validate-'));
  weight = JSON.parse(await readFile(join(EXAMPLES, 'Observation-ExampleBodyWeight.json'), 'utf8'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('mes-fhir validate', () => {
  it('exits 0 on a valid resource and prints its warnings and a summary', async () => {
    const out = await runCli(['validate', join(EXAMPLES, 'Observation-ExampleBodyWeight.json')]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^valid {3}.*Observation-ExampleBodyWeight\.json \(0 errors, 1 warnings\)$/m);
    expect(out.stdout).toMatch(/^1 resources: 1 valid, 0 invalid; 0 errors, 1 warnings/m);
  });

  it('exits 1 on an invalid resource, with the location of each issue', async () => {
    const file = join(work, 'bad.json');
    await writeFile(file, JSON.stringify({ ...weight, status: 'done' }));
    const out = await runCli(['validate', file]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^INVALID bad\.json|INVALID .*bad\.json/m);
    expect(out.stdout).toMatch(/error {3}Observation\.status +"done" is not in the required value set/);
  });

  it('refuses example URLs unless --allow-example-urls, in a worker thread too', async () => {
    const file = join(work, 'example-url.ndjson');
    const claiming = { ...weight, meta: { profile: [...weight.meta.profile, 'https://example.org/fhir/StructureDefinition/x'] } };
    await writeFile(file, `${JSON.stringify(claiming)}\n`);
    const refused = await runCli(['validate', file]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /Observation\.meta\.profile\[1\] +Example URLs \(https:\/\/example\.org\/fhir\/StructureDefinition\/x\) are not allowed here/,
    );
    for (const workers of ['1', '2']) {
      const allowed = await runCli(['validate', '--allow-example-urls', '--workers', workers, file]);
      expect(allowed.stdout, `--workers ${workers}`).not.toMatch(/Example URLs/);
      expect(allowed.code, `--workers ${workers}`).toBe(0);
    }
  });

  it('--security-checks refuses HTML-like tags in text; --html-in-markdown sets the markdown rule', async () => {
    const file = join(work, 'tags.json');
    await writeFile(file, JSON.stringify({ ...weight, note: [{ text: 'pesé <b>après</b> le repas' }] }));
    const byDefault = await runCli(['validate', file]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toMatch(/warning Observation\.note\[0\]\.text +the markdown embeds what looks like an HTML tag \(<b>\)/);
    expect((await runCli(['validate', '--html-in-markdown', 'ignore', file])).stdout).not.toMatch(/HTML tag/);
    expect((await runCli(['validate', '--html-in-markdown', 'error', file])).code).toBe(1);
    const secure = await runCli(['validate', '--security-checks', file]);
    expect(secure.code).toBe(1);
    expect(secure.stdout).toMatch(/error +Observation\.note\[0\]\.text +the text holds what looks like an HTML tag \(<b>\)/);
    const wrong = await runCli(['validate', '--html-in-markdown', 'loud', file]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--html-in-markdown is ignore, warning or error/);
  });

  it('--fail-on warning turns warnings into a failure', async () => {
    const out = await runCli(['validate', '--fail-on', 'warning', join(EXAMPLES, 'Observation-ExampleBodyWeight.json')]);
    expect(out.code).toBe(1);
  });

  it('reads folders and NDJSON; --format json prints one OperationOutcome per resource', async () => {
    const folder = join(work, 'batch');
    await mkdir(folder);
    await writeFile(join(folder, 'a.ndjson'), [JSON.stringify(weight), JSON.stringify({ ...weight, effectiveDateTime: 'yesterday' })].join('\n'));
    await writeFile(join(folder, 'b.json'), JSON.stringify(weight));
    const out = await runCli(['validate', folder, '--format', 'json']);
    expect(out.code).toBe(1);
    const outcomes = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(outcomes).toHaveLength(3);
    expect(outcomes.every((o) => o.resourceType === 'OperationOutcome')).toBe(true);
    expect(outcomes[1].issue).toContainEqual(expect.objectContaining({ severity: 'error', expression: ['Observation.effectiveDateTime'] }));
    expect(out.stderr).toMatch(/3 resources: 2 valid, 1 invalid/);
  });

  it('reads standard input', async () => {
    const out = await runCli(['validate', '-', '--format', 'json'], {}, REPO_ROOT, JSON.stringify({ resourceType: 'Observation' }));
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).issue.some((i: { details: { text: string } }) => /Observation\.status: minimum required = 1/.test(i.details.text))).toBe(
      true,
    );
  });

  it('--load adds definitions and --profile validates against them', async () => {
    const defs = join(work, 'defs');
    await mkdir(defs);
    const sd = JSON.parse(await readFile(join(REPO_ROOT, 'generated', 'fhir', 'StructureDefinition-mes-observation-bodyweight.json'), 'utf8'));
    // the same profile under another canonical, with a note made mandatory
    sd.url = 'https://example.org/StructureDefinition/weight-with-note';
    sd.snapshot.element.find((e: { path: string }) => e.path === 'Observation.note').min = 1;
    await writeFile(join(defs, 'sd.json'), JSON.stringify(sd));
    const input = join(EXAMPLES, 'Observation-ExampleBodyWeight.json');
    const out = await runCli(['validate', input, '--load', defs, '--profile', sd.url]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/Observation\.note: minimum required = 1/);
  });

  it('--load reads FHIR XML definitions too', async () => {
    const json = join(work, 'xml-source');
    const defs = join(work, 'defs-xml');
    await mkdir(json);
    await mkdir(defs);
    const sd = JSON.parse(await readFile(join(REPO_ROOT, 'generated', 'fhir', 'StructureDefinition-mes-observation-bodyweight.json'), 'utf8'));
    sd.url = 'https://example.org/StructureDefinition/weight-with-note-xml';
    sd.snapshot.element.find((e: { path: string }) => e.path === 'Observation.note').min = 1;
    await writeFile(join(json, 'sd.json'), JSON.stringify(sd));
    const converted = await runCli(['convert', join(json, 'sd.json'), '--out', join(defs, 'sd.xml')]);
    expect(converted.code, converted.stderr).toBe(0);
    await writeFile(join(defs, 'broken.xml'), '<StructureDefinition xmlns="http://hl7.org/fhir"><url value="x"/>');
    const out = await runCli(['validate', join(EXAMPLES, 'Observation-ExampleBodyWeight.json'), '--load', defs, '--profile', sd.url]);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toMatch(/Observation\.note: minimum required = 1/);
    // a file that is not FHIR XML is said, not fatal
    expect(out.stderr).toMatch(/--load .*broken\.xml: not read as FHIR XML/);
  });

  it('usage and I/O errors exit 2', async () => {
    expect((await runCli(['validate'])).code).toBe(2);
    expect((await runCli(['validate', '--format', 'xml', 'x.json'])).code).toBe(2);
    const missing = await runCli(['validate', join(work, 'does-not-exist.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read input/);
    const unknownProfile = await runCli(['validate', join(EXAMPLES, 'Observation-ExampleBodyWeight.json'), '--profile', 'https://example.org/none']);
    expect(unknownProfile.code).toBe(2);
  });

  it('works outside the repository, from the generated definitions and their manifest', async () => {
    const out = await runCli(['validate', join(EXAMPLES, 'Observation-ExampleBodyWeight.json'), '--generated', join(REPO_ROOT, 'generated', 'fhir')], {}, work);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  });

  it('a file that is not JSON is an invalid resource, not a crash', async () => {
    const file = join(work, 'garbage.json');
    await writeFile(file, '{ not json');
    const out = await runCli(['validate', file]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/not valid JSON/);
  });
});
