/**
 * Hostile input (issue #33): each case a security review found, kept small and generated here.
 * Each asserts the verdict, and where the old code blew up in time, that the time is linear: the
 * ratio to a benign input of the same size (never an absolute time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import ts from 'typescript';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { StructureModel } from '@mes-fhir/profile-model';
import { Validator } from '@mes-fhir/validator';
import { FhirXml } from '@mes-fhir/xml';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, loadRepoIndex, runCli } from './helpers/repo.js';
import { LINEAR_RATIO, adversarialStrings, slowestOf, timeRatio } from './helpers/timing.js';

const FHIR = 'xmlns="http://hl7.org/fhir"';
const XHTML = 'xmlns="http://www.w3.org/1999/xhtml"';
let xml: FhirXml;
let validator: Validator;

beforeAll(async () => {
  const { packages } = await loadRepoIndex();
  const index = indexFolders(projectLayers(packages, join(REPO_ROOT, 'generated', 'fhir')));
  xml = new FhirXml(new StructureModel(index));
  validator = new Validator(index);
});

const errorsOf = (outcome: { issue: Array<{ severity: string; details?: { text?: string } }> }) =>
  outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => i.details?.text ?? '');

describe('XML is read by a parser, never by a regex', () => {
  it('an unclosed narrative of 60,000 `<div ` is refused in linear time (it took 7 s by regex)', () => {
    const n = 60_000;
    const hostile = `<Patient ${FHIR}><text>${'<div '.repeat(n)}`;
    const benign = `<Patient ${FHIR}><text><div ${XHTML}>${'x'.repeat(hostile.length - 70)}</div></text></Patient>`;
    expect(xml.fromXml(hostile).ok).toBe(false);
    expect(xml.fromXml(benign).ok).toBe(true);
    expect(timeRatio((t) => xml.fromXml(t), hostile, benign)).toBeLessThan(LINEAR_RATIO);
  });

  it('a comment or CDATA inside the narrative stays in the narrative', () => {
    const smuggled = '</div></text><active value="false"/><text><div>';
    for (const wrapped of [`<!-- ${smuggled} -->`, `<![CDATA[${smuggled}]]>`]) {
      const read = xml.fromXml(`<Patient ${FHIR}><text><status value="generated"/><div ${XHTML}>Martin${wrapped}</div></text><active value="true"/></Patient>`);
      expect(read.ok, wrapped).toBe(true);
      const patient = (read as { resource: Record<string, any> }).resource;
      expect(patient.active).toBe(true);
      expect(patient.text.div).toContain(wrapped);
    }
  });

  it('JSON → XML refuses a div that would close the document early', () => {
    const patient = {
      resourceType: 'Patient',
      text: { status: 'generated', div: `<div ${XHTML}>x</div></text><deceasedBoolean value="true"/><text><div ${XHTML}>y</div>` },
    };
    expect(() => xml.toXml(patient)).toThrow(/^Narrative.div: not well-formed XML: /);
    expect(errorsOf(validator.validate(patient)).join()).toMatch(/^the narrative is not one well-formed XHTML element: not well-formed XML: /);
    // nothing but the div: a comment beside it would land in the document too
    patient.text.div = `<div ${XHTML}>x</div><!-- -->`;
    expect(() => xml.toXml(patient)).toThrow('Narrative.div: the narrative must be one element, with nothing around it');
  });

  it('XML that is not well-formed is refused, with the reason', () => {
    const cases = [
      `<Patient ${FHIR}><active value="true" value="false"/></Patient>`,
      `<Patient ${FHIR}><active value=true/></Patient>`,
      `<Patient ${FHIR}><active value="true"/>`,
      `<Patient ${FHIR}><name><family value="M"/></Patient></name>`,
      `<Patient ${FHIR}><active value="&nbsp;"/></Patient>`,
    ];
    for (const text of cases) {
      const read = xml.fromXml(text);
      expect(read.ok, text).toBe(false);
      expect((read as { error: string }).error, text).toMatch(/^not well-formed XML: /);
      expect(errorsOf(validator.validateXml(text)).join(), text).toMatch(/not well-formed XML/);
    }
  });

  it('a single-valued element given twice is refused, not overwritten', () => {
    const read = xml.fromXml(`<Patient ${FHIR}><active value="true"/><active value="false"/></Patient>`);
    expect(read).toEqual({ ok: false, error: '<active> occurs more than once in <Patient>: Patient.active allows one' });
  });

  it('text where FHIR XML has none is refused', () => {
    expect(xml.fromXml(`<Patient ${FHIR}>deceased<active value="true"/></Patient>`).ok).toBe(false);
    expect(xml.fromXml(`<Patient ${FHIR}><active value="true">false</active></Patient>`).ok).toBe(false);
  });

  it('fuzzing: a converted resource never gains or loses an element a standard parser does not see', () => {
    const pieces = ['</div>', '</text>', '<active value="false"/>', '<!--', '-->', '<![CDATA[', ']]>', '&amp;', '&lt;', '<b>', '</b>', 'x', ' ', '"', '<div>'];
    const markup = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((p) => p.join(''));
    const standard = new XMLParser({ preserveOrder: true, ignoreAttributes: false, commentPropName: '#comment', cdataPropName: '#cdata' });
    const topLevel = (text: string) =>
      (standard.parse(text) as Array<Record<string, unknown>>)
        .flatMap((n) => (n.Patient as Array<Record<string, unknown>>) ?? [])
        .map((n) => Object.keys(n).find((k) => k !== ':@'))
        .filter((k) => k && !k.startsWith('#'));
    fc.assert(
      fc.property(markup, (inner) => {
        // XML → JSON: the elements of the resource are those a standard parser sees
        const text = `<Patient ${FHIR}><text><status value="generated"/><div ${XHTML}>${inner}</div></text><active value="true"/></Patient>`;
        const read = xml.fromXml(text);
        if (read.ok) expect(Object.keys(read.resource).filter((k) => k !== 'resourceType')).toEqual(topLevel(text));
        // JSON → XML: refused, or read back as the same resource
        const json = { resourceType: 'Patient', text: { status: 'generated', div: `<div ${XHTML}>${inner}</div>` }, active: true };
        let written: string | undefined;
        try {
          written = xml.toXml(json);
        } catch {
          return;
        }
        expect(xml.fromXml(written)).toEqual({ ok: true, resource: json });
      }),
      { numRuns: 500 },
    );
  });
});

describe('the narrative (txt-1, txt-2) refuses active content', () => {
  const narrative = (inner: string) => ({ resourceType: 'Patient', text: { status: 'generated', div: `<div ${XHTML}>${inner}</div>` } });
  it.each([
    ['<img src="x" onerror="alert(1)"/>', 'txt-1: the attribute onerror is not allowed on <img> in a narrative'],
    ['x<script src="https://evil.example/x.js"/>', 'txt-1: <script> is not allowed in a narrative (only basic HTML formatting, links and images)'],
    ['<a href="javascript:alert(1)">x</a>', 'txt-1: the href of <a> is an active javascript: URL, not allowed in a narrative'],
    ['x<iframe src="https://evil.example/"/>', 'txt-1: <iframe> is not allowed in a narrative (only basic HTML formatting, links and images)'],
    ['x<object data="x.swf"/>', 'txt-1: <object> is not allowed in a narrative (only basic HTML formatting, links and images)'],
    ['<p>x', 'the narrative is not one well-formed XHTML element'],
  ])('%s', (inner, message) => {
    expect(errorsOf(validator.validate(narrative(inner))).join('\n')).toContain(message);
    // the same verdict on XML (when it is XML at all)
    if (!inner.startsWith('<p>')) expect(errorsOf(validator.validateXml(xml.toXml(narrative(inner)))).join('\n')).toContain(message);
  });
});

describe('every regular expression that can meet input is linear', () => {
  const LENGTH = 20_000;
  const inputs = adversarialStrings(LENGTH);
  const benign = 'x'.repeat(LENGTH);

  it('the R4 primitive regexes the validator compiles', () => {
    const types = validator.index.list('StructureDefinition').filter((e) => validator.index.read<{ kind?: string }>(e).kind === 'primitive-type');
    let checked = 0;
    for (const entry of types) {
      const sd = validator.index.read<{
        type: string;
        snapshot?: { element: Array<{ id: string; type?: Array<{ extension?: Array<{ url: string; valueString?: string }> }> }> };
      }>(entry);
      const value = sd.snapshot?.element.find((e) => e.id === `${sd.type}.value`);
      const regex = value?.type?.[0]?.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/regex')?.valueString;
      // base64Binary is checked without its regex (isBase64Binary): that regex backtracks exponentially
      if (!regex || sd.type === 'base64Binary') continue;
      const re = new RegExp(`^(?:${regex})$`);
      const run = (s: string) => re.test(s);
      expect(timeRatio(run, slowestOf(run, inputs), benign), `${sd.type}: ${regex}`).toBeLessThan(LINEAR_RATIO);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('every regex literal of our sources', () => {
    const literals: Array<{ file: string; text: string }> = [];
    for (const file of sourceFiles(join(REPO_ROOT, 'packages'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) literals.push({ file, text: node.getText() });
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(literals.length).toBeGreaterThan(100);
    for (const { file, text } of literals) {
      const slash = text.lastIndexOf('/');
      // a fresh regex without g/y: no lastIndex carried between inputs
      const re = new RegExp(text.slice(1, slash), text.slice(slash + 1).replace(/[gy]/g, ''));
      const run = (s: string) => re.test(s);
      expect(timeRatio(run, slowestOf(run, inputs), benign), `${file}: ${text}`).toBeLessThan(LINEAR_RATIO);
    }
  });
});

/** The TypeScript sources of the packages (tests, generated code and builds aside). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', 'generated'].includes(entry.name) ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|test-support|d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('validation work is linear in the input', () => {
  it('base64Binary: 26 spaced groups then "!" (25 s with the R4 regex)', () => {
    const patient = (data: string) => ({ resourceType: 'Patient', photo: [{ contentType: 'image/png', data }] });
    const hostile = patient(`${'AAAA '.repeat(20_000)}!`);
    const benign = patient('AAAA'.repeat(25_000));
    expect(errorsOf(validator.validate(hostile)).join()).toMatch(/is not a valid base64Binary/);
    expect(timeRatio((r) => validator.validate(r), hostile, benign)).toBeLessThan(LINEAR_RATIO);
  });

  it('dom-3 with 800 contained resources referenced from the resource (29 s, cubic)', () => {
    const patient = (n: number, referenced: boolean) => ({
      resourceType: 'Patient',
      contained: Array.from({ length: n }, (_, i) => ({ resourceType: 'Organization', id: `o${i}`, name: `Cabinet ${i}` })),
      generalPractitioner: Array.from({ length: n }, (_, i) => ({ reference: referenced ? `#o${i}` : `Organization/o${i}` })),
    });
    const hostile = patient(800, true);
    expect(errorsOf(validator.validate(hostile))).toEqual([]);
    const unreferenced = patient(800, false);
    unreferenced.generalPractitioner[799]!.reference = '#o0';
    expect(errorsOf(validator.validate(unreferenced)).filter((m) => m.startsWith('dom-3'))).toHaveLength(1);
    // a uri that names a contained resource counts too (dom-3 asks uri, url and canonical values)
    const byUri = { ...patient(1, false), extension: [{ url: 'http://example.org/x', valueUri: '#o0' }] };
    expect(errorsOf(validator.validate(byUri)).filter((m) => m.startsWith('dom-3'))).toEqual([]);
    const benign: Record<string, unknown> = { ...patient(800, false) };
    delete benign.contained;
    expect(timeRatio((r) => validator.validate(r), hostile, benign)).toBeLessThan(LINEAR_RATIO);
  });
});

describe('memory stays bounded', () => {
  it('a DocumentReference whose data is refused as over 1 MiB is not decoded nor parsed (42 MB took 1.3 GB)', () => {
    const cda = `<ClinicalDocument xmlns="urn:hl7-org:v3">${'<x/>'.repeat(1_500_000)}</ClinicalDocument>`;
    const data = Buffer.from(cda).toString('base64');
    const documentReference = (attachment: Record<string, unknown>) => ({
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { contentType: 'text/xml', ...attachment } }],
    });
    const hostile = documentReference({ data });
    const benign = documentReference({ title: data });
    expect(errorsOf(validator.validate(hostile))).toEqual(['base64Binary value is longer than 1 MiB']);
    expect(timeRatio((r) => validator.validate(r), hostile, benign)).toBeLessThan(LINEAR_RATIO);
  });

  it('10 MB of nulls: the first 1,000 issues, then one that counts the rest', () => {
    const text = `{"resourceType":"Patient","name":[${'null,'.repeat(2_000_000)}null]}`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const outcome = validator.validateJson(text);
    expect(outcome.issue.length).toBeLessThanOrEqual(1001);
    const last = outcome.issue[outcome.issue.length - 1]!;
    expect(last.severity).toBe('error');
    expect(last.details?.text).toMatch(/^\d+ more issues \(\d+ of them errors\) are not listed: only the first 1000 are kept$/);
    expect(JSON.stringify(outcome).length).toBeLessThan(1_000_000);
    // under the bound, every issue is listed and none sums up
    const few = validator.validateJson(`{"resourceType":"Patient","name":[${'null,'.repeat(998)}null]}`);
    expect(few.issue.filter((i) => i.expression?.[0]?.startsWith('Patient.name[')).length).toBe(999);
    expect(few.issue.some((i) => /more issues/.test(i.details?.text ?? ''))).toBe(false);
  });
});

describe('the CLI: folders, names and streams', () => {
  const weight = JSON.stringify(JSON.parse(readFileSync(join(REPO_ROOT, 'generated', 'fhir', 'example', 'Observation-ExampleBodyWeight.json'), 'utf8')));
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mes-hostile-cli-'));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));
  const outcomes = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

  it('symbolic links inside a folder are not followed unless asked, and a link loop ends', async () => {
    const folder = join(work, 'links');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(work, 'secret.json'), 'root:x:0:0:secret');
    await writeFile(join(folder, 'weight.json'), weight);
    await symlink(join(work, 'secret.json'), join(folder, 'secret.json'));
    await symlink(folder, join(folder, 'sub', 'loop'));
    const out = await runCli(['validate', folder]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).not.toMatch(/secret|root:x/);
    expect(out.stderr).toMatch(/skipped .*secret\.json: a symbolic link \(--follow-symlinks reads it\)/);
    const followed = await runCli(['validate', '--follow-symlinks', folder]);
    expect(followed.stdout).toMatch(/INVALID .*secret\.json/);
    expect(followed.stderr).toMatch(/skipped .*loop: a symbolic link back into a folder already read/);
    expect(followed.stdout).toMatch(/^2 resources: 1 valid, 1 invalid/m);
  });

  it('file names with a newline or an ANSI escape are printed escaped', async () => {
    const folder = join(work, 'names');
    await mkdir(folder);
    await writeFile(join(folder, 'a\nvalid   forged.json\u001b[2K.json'), '{');
    const out = await runCli(['validate', folder]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('a\\u000avalid   forged.json\\u001b[2K.json');
    expect(out.stdout).not.toMatch(/\u001b|^valid {3}forged/m);
  });

  it('a malformed first line of standard input: that line is the error, the rest still streams', async () => {
    const out = await runCli(['validate', '--format', 'json', '-'], {}, REPO_ROOT, `not json\n\n${weight}\n`);
    expect(out.code).toBe(1);
    const lines = outcomes(out.stdout);
    expect(lines).toHaveLength(3);
    const place = (o: Record<string, any>) => [
      o.extension.find((e: { url: string }) => e.url.endsWith('operationoutcome-file')).valueString,
      o.issue[0].extension.find((e: { url: string }) => e.url.endsWith('operationoutcome-issue-line')).valueInteger,
    ];
    expect(lines.map(place)).toEqual([
      ['stdin', 1],
      ['stdin', 2],
      ['stdin', 3],
    ]);
    expect(lines[0].issue[0].details.text).toMatch(/^not valid JSON/);
    expect(lines[1].issue[0]).toMatchObject({ severity: 'information', details: { text: 'blank line: no resource' } });
    expect(lines[2].issue.every((i: { severity: string }) => i.severity !== 'error')).toBe(true);
  });

  it('a resource over several lines on standard input is still read as one', async () => {
    const out = await runCli(['validate', '--format', 'json', '-'], {}, REPO_ROOT, `${JSON.stringify(JSON.parse(weight), null, 2)}\n`);
    expect(out.code, out.stderr).toBe(0);
    expect(outcomes(out.stdout)).toHaveLength(1);
  });

  it('NDJSON outputs correspond to input lines, blank ones included', async () => {
    const file = join(work, 'batch.ndjson');
    await writeFile(file, `${weight}\n\n{"resourceType":"Patient","active":"yes"}\n`);
    const out = await runCli(['validate', '--format', 'json', file]);
    const lines = outcomes(out.stdout);
    expect(lines.map((o) => o.issue[0].extension.find((e: { url: string }) => e.url.endsWith('issue-line')).valueInteger)).toEqual([1, 2, 3]);
    expect(out.stderr).toMatch(/^2 resources: 1 valid, 1 invalid/m);
  });
});
