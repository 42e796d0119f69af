/**
 * The site's "Essayer" page gives the verdict of `mes-fhir validate`: the validator runs in a Web
 * Worker over the definitions the build publishes, and for every example of the guide, in JSON
 * and in XML, and every MES payload fixture, the page lists the issues the CLI's validator
 * reports, errors first. A 5 MB DocumentReference is answered while the page keeps drawing.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Validator, type OperationOutcome } from '@mes-fhir/validator';
import { REPO_ROOT } from './helpers/repo.js';
import { canRunBrowser, openSite, type SiteSession } from './helpers/site.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'site');
const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const EXAMPLES = join(GENERATED, 'example');
const MESSAGE_ID = 'http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id';
const ORDER: Record<string, number> = { fatal: 0, error: 1, warning: 2, information: 3 };

interface Row {
  severity: string;
  location: string;
  message: string;
  id: string;
}

/** The rows the page should show for an outcome: errors first, then warnings, then information, each in the validator's order. */
function expectedRows(outcome: OperationOutcome): Row[] {
  return outcome.issue
    .map((issue, n) => ({
      n,
      row: {
        severity: issue.severity,
        location: issue.expression?.[0] ?? '',
        message: issue.details?.text ?? '',
        id: issue.extension?.find((x) => x.url === MESSAGE_ID)?.valueString ?? '',
      },
    }))
    .sort((a, b) => ORDER[a.row.severity]! - ORDER[b.row.severity]! || a.n - b.n)
    .map((x) => x.row);
}

let site: SiteSession;
let page: Page;
let validator: Validator;

/** Validates `text` on the page (with `profile` picked, or none) and reads back the verdict and the rows. */
async function validateOnPage(text: string, profile = ''): Promise<{ status: string; rows: Row[] }> {
  const runs = Number(await page.locator('.essayer-result').getAttribute('data-validations'));
  await page.getByLabel('Ressource FHIR (JSON ou XML)').fill(text);
  await page.getByLabel('Profil').selectOption(profile);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForFunction((n) => Number(document.querySelector('.essayer-result')?.getAttribute('data-validations')) > n, runs);
  return readVerdict();
}

async function readVerdict(): Promise<{ status: string; rows: Row[] }> {
  const rows = await page.locator('.essayer-issues tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      severity: tr.getAttribute('data-severity') ?? '',
      location: tr.querySelector('td:nth-child(2)')?.textContent ?? '',
      message: tr.querySelector('.essayer-message')?.textContent ?? '',
      id: tr.getAttribute('data-message-id') ?? '',
    })),
  );
  return { status: (await page.getByRole('status').textContent()) ?? '', rows };
}

const fixtures = (dir: string) =>
  readdirSync(join(REPO_ROOT, 'test', 'fixtures', dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(REPO_ROOT, 'test', 'fixtures', dir, f), 'utf8') }));
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8') }));

describe.skipIf(!canRunBrowser)('Essayer: the validator of the CLI, in the browser', () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // the CLI's validator: the same loading as `mes-fhir validate` with its default settings
    validator = await Validator.load({ generatedDir: GENERATED });
    site = await openSite();
    page = await site.newPage(1400);
    await page.goto(`${site.base}/essayer`);
    await page.getByRole('button', { name: 'Valider' }).and(page.locator(':enabled')).waitFor({ timeout: 120_000 });
  }, 600_000);

  afterAll(() => site?.close());

  it('checks the page example: valid, against the profile its meta.profile names', async () => {
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.locator('.essayer-result[data-validations="1"]').waitFor();
    const { status, rows } = await readVerdict();
    expect(status).toBe('Valide (JSON) : 0 erreur, 1 avertissement — profil MES Poids');
    const weight = readFileSync(join(EXAMPLES, 'Observation-ExampleBodyWeight.json'), 'utf8');
    expect(rows).toEqual(expectedRows(validator.validateJson(weight)));
  });

  it.each([...examples, ...fixtures('agenda'), ...fixtures('documents/invalid')])('gives the CLI’s issues on $name', async ({ text }) => {
    const { status, rows } = await validateOnPage(text);
    const outcome = validator.validateJson(text);
    expect(rows).toEqual(expectedRows(outcome));
    const errors = outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal').length;
    expect(status.startsWith(errors === 0 ? 'Valide (JSON)' : 'Invalide (JSON)')).toBe(true);
  });

  it('reads FHIR XML and gives the CLI’s issues on it', async () => {
    for (const name of [
      'Observation-ExampleBloodPressure.json',
      'Appointment-ExampleAppointmentCabinet.json',
      'DocumentReference-ExampleDocumentReference.json',
    ]) {
      const resource = JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8'));
      const xml = validator.xml.toXml({ ...resource, status: 'not-a-status' });
      const { status, rows } = await validateOnPage(xml);
      expect(status, name).toMatch(/^Invalide \(XML\)/);
      expect(rows, name).toEqual(expectedRows(validator.validateXml(xml)));
      expect(
        rows.some((r) => r.severity === 'error' && r.location.endsWith('.status')),
        name,
      ).toBe(true);
    }
    const broken = await validateOnPage('<Observation xmlns="http://hl7.org/fhir"><status value="final"/>');
    expect(broken.rows).toEqual(expectedRows(validator.validateXml('<Observation xmlns="http://hl7.org/fhir"><status value="final"/>')));
    expect(broken.rows[0]?.id).toBe('xml-unreadable');
  });

  it('asks for a profile when meta.profile names none, then applies the one picked', async () => {
    const { meta: _meta, ...weight } = JSON.parse(readFileSync(join(EXAMPLES, 'Observation-ExampleBodyWeight.json'), 'utf8'));
    const text = JSON.stringify({ ...weight, valueQuantity: { ...weight.valueQuantity, code: 'g', unit: 'g' } }, null, 2);
    const unprofiled = await validateOnPage(text);
    expect(unprofiled.rows).toEqual(expectedRows(validator.validateJson(text)));
    await expect(page.getByRole('note').textContent()).resolves.toMatch(/ne déclare aucun profil MES/);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('essayer-profil');
    const profile = 'https://mes-fhir.org/fhir/StructureDefinition/mes-observation-bodyweight';
    const picked = await validateOnPage(text, profile);
    expect(picked.status).toMatch(/^Invalide \(JSON\) : .* — profil MES Poids$/);
    expect(picked.rows).toEqual(expectedRows(validator.validateJson(text, { profile })));
    expect(picked.rows.some((r) => r.severity === 'error' && r.location.startsWith('Observation.valueQuantity'))).toBe(true);
    await expect(page.getByRole('note').count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, '08-essayer.png') });
  });

  it('says the validator’s words on text that is not JSON', async () => {
    const { status, rows } = await validateOnPage('{ not json');
    expect(status).toMatch(/^Invalide \(JSON\) : 1 erreur/);
    // the parser's own words differ between JavaScript engines (Chromium adds the line and column)
    const [cli] = expectedRows(validator.validateJson('{ not json'));
    expect(rows).toHaveLength(1);
    expect({ ...rows[0], message: rows[0]!.message.slice(0, cli!.message.length) }).toEqual(cli);
    expect(rows[0]?.id).toBe('json-unreadable');
  });

  it('answers a 5 MB DocumentReference opened from a file while the page keeps drawing', async () => {
    const example = JSON.parse(readFileSync(join(EXAMPLES, 'DocumentReference-ExampleDocumentReference.json'), 'utf8'));
    const cda = Buffer.from(example.content[0].attachment.data, 'base64').toString('utf8');
    // a CDA grown by a comment to ~3.8 MB, whose size and hash are right: only its size is refused
    const grown = Buffer.from(cda.replace('</ClinicalDocument>', `<!--${'données '.repeat(470_000)}--></ClinicalDocument>`), 'utf8');
    const attachment = {
      ...example.content[0].attachment,
      data: grown.toString('base64'),
      size: grown.length,
      hash: createHash('sha1').update(grown).digest('base64'),
    };
    const text = JSON.stringify({ ...example, content: [{ ...example.content[0], attachment }] });
    expect(text.length).toBeGreaterThan(5_000_000);
    // a fresh page, as a reader arrives: its first validation also fetches the definitions it reads
    await page.close();
    page = await site.newPage(1400);
    await page.goto(`${site.base}/essayer`);
    await page.getByRole('button', { name: 'Valider' }).and(page.locator(':enabled')).waitFor({ timeout: 120_000 });
    const runs = 0;
    await page.locator('input[type="file"]').setInputFiles({ name: 'document.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction((length) => (document.querySelector('textarea') as HTMLTextAreaElement).value.length === length, text.length);
    // frames drawn between the click and the verdict: none if the validation held the page's thread
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number };
      w.frames_ = 0;
      const tick = () => {
        w.frames_++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.getByRole('button', { name: 'Valider' }).click();
    const framesAtClick = await page.evaluate(() => (window as unknown as { frames_: number }).frames_);
    await page.waitForFunction((n) => Number(document.querySelector('.essayer-result')?.getAttribute('data-validations')) > n, runs, { timeout: 120_000 });
    const framesDuring = (await page.evaluate(() => (window as unknown as { frames_: number }).frames_)) - framesAtClick;
    expect(framesDuring).toBeGreaterThan(2);
    const { status, rows } = await readVerdict();
    expect(status).toMatch(/^Invalide \(JSON\)/);
    expect(rows).toEqual(expectedRows(validator.validateJson(text)));
    expect(rows.some((r) => r.location.includes('attachment.data') && r.severity === 'error')).toBe(true);
  });

  it('logged no console error', () => {
    expect(site.consoleErrors).toEqual([]);
  });
});
