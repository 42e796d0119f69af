/**
 * The implementation-guide site in a real browser (see helpers/site.ts): navigation, search,
 * reference pages, downloads, readability.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './helpers/repo.js';
import { BUILD, canRunBrowser, openSite, type SiteSession } from './helpers/site.js';

const SHOTS = join(REPO_ROOT, 'test-output', 'site');

let site: SiteSession;
let base: string;
const newPage = (width?: number): Promise<Page> => site.newPage(width);

describe.skipIf(!canRunBrowser)('implementation-guide site', () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    site = await openSite();
    base = site.base;
  }, 600_000);

  afterAll(() => site?.close());

  it('opens the home page and follows the navigation to the body-weight profile', async () => {
    const page = await newPage();
    await page.goto(base);
    await expect(page.locator('h1').first().textContent()).resolves.toContain('mes-fhir');
    // the version and status of the profiles, from their FHIR package, on every page
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'generated', 'fhir', 'package.json'), 'utf8')) as { version: string };
    await expect(page.locator('footer').textContent()).resolves.toContain(`mes-fhir.profiles ${pkg.version}`);
    await page.screenshot({ path: join(SHOTS, '01-home.png') });
    await page.locator('.navbar').getByRole('link', { name: 'Référence' }).click();
    await page.waitForURL(/\/reference$/);
    await page.getByRole('link', { name: 'MES Poids', exact: true }).first().click();
    await page.waitForURL(/\/reference\/profils\/mes-observation-bodyweight$/);
    await page.locator('h1', { hasText: 'MES Poids' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('h1').textContent()).resolves.toBe('MES Poids');
    // the element table (its default tab: what the profile changes) lists the constrained value, the example is shown as JSON
    const table = page.locator('[role="tabpanel"]:not([hidden]) .element-table table');
    await expect(table.isVisible()).resolves.toBe(true);
    await expect(table.locator('td', { hasText: 'valueQuantity' }).first().isVisible()).resolves.toBe(true);
    const example = page.locator('pre', { hasText: '"resourceType": "Observation"' }).first();
    await example.scrollIntoViewIfNeeded();
    await expect(example.isVisible()).resolves.toBe(true);
    // the same example in FHIR XML, one tab away
    await page.getByRole('tab', { name: 'XML' }).first().click();
    const exampleXml = page.locator('pre', { hasText: '<Observation xmlns="http://hl7.org/fhir">' }).first();
    await expect(exampleXml.isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'TypeScript' }).isVisible()).resolves.toBe(true);
    // the reference sidebar groups the profiles by API
    const mesures = page.locator('.theme-doc-sidebar-menu .menu__list-item', { has: page.locator('.menu__link', { hasText: /^API Mesures$/ }) });
    await expect(mesures.locator('a', { hasText: 'MES Poids' }).first().isVisible()).resolves.toBe(true);
    await expect(mesures.locator('a', { hasText: 'MES Rendez-vous' }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, '02-body-weight.png'), fullPage: false });
    await page.close();
  });

  it('finds the body-weight page by searching "poids"', async () => {
    const page = await newPage();
    await page.goto(`${base}/guides/demarrage`);
    const input = page.locator('input.navbar__search-input');
    // the search box speaks French (docs-site/i18n/fr/code.json)
    await expect(input.evaluate((e) => `${e.getAttribute('placeholder')} ${e.getAttribute('aria-label')}`)).resolves.toContain('Rechercher');
    await input.click();
    await input.fill('poids');
    // wait for the suggestion asserted, not for any suggestion (the index loads while typing)
    const suggestion = page.locator('.aa-suggestion, [role="option"]', { hasText: 'MES Poids' }).first();
    await suggestion.waitFor({ state: 'visible', timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, '03-search.png') });
    await suggestion.click();
    await page.waitForURL(/mes-observation-bodyweight/);
    // the URL changes before the client-side router renders the page: wait for its title
    await page.locator('h1', { hasText: 'MES Poids' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('h1').textContent()).resolves.toBe('MES Poids');
    await page.close();
  });

  it('shows a value set page with its offline expansion', async () => {
    const page = await newPage();
    await page.goto(`${base}/reference/jeux-de-valeurs/jdv-j157-momentglucose-ens`);
    await expect(page.locator('h1').textContent()).resolves.toContain('JDV_J157-MomentGlucose-ENS');
    await expect(page.locator('td', { hasText: '53049-3' }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText('6 concept(s).').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, '04-value-set.png') });
    // a NOS value set our profiles bind to: its concepts, version and source
    await page.goto(`${base}/reference/jeux-de-valeurs/jdv-j07-xdstypecode-cisis`);
    await expect(page.locator('h1').textContent()).resolves.toContain('JDV_J07-XdsTypeCode-CISIS');
    await expect(page.getByText('113 concept(s).').isVisible()).resolves.toBe(true);
    await expect(page.getByText(/Version : 20240927120000 · Source : NOS, fichiers SVS de l'ANS/).isVisible()).resolves.toBe(true);
    await expect(page.locator('td', { hasText: 'DOCPAT01' }).first().isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('shows the Documents guide and the published-document profile with its example', async () => {
    const page = await newPage();
    await page.goto(`${base}/guides/documents`);
    await expect(page.locator('h1').textContent()).resolves.toContain('API Documents');
    await page.getByRole('link', { name: 'publication simplifiée' }).first().click();
    await page.waitForURL(/mes-documentreference$/);
    await page.locator('h1', { hasText: 'MES Document publié' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('h1').textContent()).resolves.toBe('MES Document publié');
    await expect(page.locator('pre', { hasText: '"resourceType": "DocumentReference"' }).first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, '06-document.png') });
    await page.close();
  });

  it('reaches the sandbox guide from the CLI guide, with its list of differences from MES', async () => {
    const page = await newPage();
    await page.goto(`${base}/guides/cli`);
    await page.getByRole('link', { name: 'Bac à sable' }).last().click();
    await page.waitForURL(/guides\/sandbox$/);
    await page.locator('h1', { hasText: 'Bac à sable' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('h2', { hasText: 'Ce qui diffère de Mon espace santé' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('pre', { hasText: 'npx mes-fhir sandbox' }).first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, '06b-sandbox.png') });
    await page.close();
  });

  it('shows the elements of a profile in tabs (its changes, key elements, all) that fit a 1400 px page', async () => {
    const page = await newPage(1400);
    await page.goto(`${base}/reference/profils/mes-observation-bodyweight`);
    const tabs = page.getByRole('tab');
    await expect(tabs.allTextContents()).resolves.toEqual(expect.arrayContaining(['Ce que le profil change', 'Éléments clés', 'Tous les éléments']));
    // the default tab: what this profile changes, e.g. the MES canonical required in meta.profile
    const shown = page.locator('[role="tabpanel"]:not([hidden])');
    await expect(shown.locator('code', { hasText: 'mesCanonical' }).first().isVisible()).resolves.toBe(true);
    await page.getByRole('tab', { name: 'Éléments clés' }).click();
    await expect(shown.locator('code', { hasText: 'subject' }).first().isVisible()).resolves.toBe(true);
    await page.getByRole('tab', { name: 'Tous les éléments' }).click();
    await expect(shown.locator('tr').count()).resolves.toBeGreaterThan(50);
    // no table wider than the article: the last column is not cut off
    const overflow = await page.evaluate(() =>
      [...document.querySelectorAll('.element-table table')].some((t) => t.scrollWidth > (t.closest('article') as HTMLElement).clientWidth + 1),
    );
    expect(overflow).toBe(false);
    await page.screenshot({ path: join(SHOTS, '07-profile-tabs.png') });
    await page.close();
  });

  it('gives each element its definition and comment under "Tous les éléments", R4’s own marked as English', async () => {
    const page = await newPage(1400);
    await page.goto(`${base}/reference/profils/mes-observation-bodyweight`);
    await page.getByRole('tab', { name: 'Tous les éléments' }).click();
    const shown = page.locator('[role="tabpanel"]:not([hidden])');
    const row = shown.locator('tr', { has: page.locator('td:first-child code', { hasText: /^status$/ }) }).first();
    const details = row.locator('details.element-definition');
    await expect(details.locator('p').first().isVisible()).resolves.toBe(false);
    await details.locator('summary').click();
    // Observation.status keeps R4's definition: shown in English, with lang="en" for screen readers
    const definition = details.locator('p').first();
    await expect(definition.textContent()).resolves.toMatch(/^The status of the result value\..*\(FHIR R4, en anglais\)$/);
    await expect(definition.getAttribute('lang')).resolves.toBe('en');
    // every row of the tab has its definition
    const rows = await shown.locator('tbody tr').count();
    await expect(shown.locator('tbody tr details.element-definition').count()).resolves.toBe(rows);
    await page.close();
  });

  it('lists this version, the earlier one and the packages the profiles are built on', async () => {
    const page = await newPage();
    await page.goto(`${base}/reference/versions`);
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'generated', 'fhir', 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
    };
    const first = page.locator('article table').first().locator('tbody tr').first();
    await expect(first.textContent()).resolves.toContain(`${pkg.version} (cette version)version de travail (draft)`);
    const tgz = await first.locator('a[href$=".tgz"]').getAttribute('href');
    expect((await page.request.get(`${base}${tgz}`)).status()).toBe(200);
    await first.locator('a', { hasText: 'changements depuis' }).click();
    await page.waitForURL(/\/reference\/changements$/);
    await page.goBack();
    const dependencies = await page.locator('article table').nth(1).locator('tbody tr').allTextContents();
    for (const [name, version] of Object.entries(pkg.dependencies))
      expect(
        dependencies.some((d) => d.startsWith(`${name}${version}`)),
        name,
      ).toBe(true);
    await page.close();
  });

  it('keeps every cardinality on one line on a 390 px phone', async () => {
    const page = await newPage(390);
    for (const profile of ['mes-observation-bodyweight', 'mes-observation-bp', 'mes-documentreference']) {
      await page.goto(`${base}/reference/profils/${profile}`);
      await page.getByRole('tab', { name: 'Tous les éléments' }).click();
      const lines = await page.evaluate(() =>
        [...document.querySelectorAll('[role="tabpanel"]:not([hidden]) .element-table tbody td:nth-child(2)')].map((td) => {
          const range = document.createRange();
          range.selectNodeContents(td);
          // one line box per line the text wraps onto
          return { text: td.textContent, lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size };
        }),
      );
      expect(lines.length, profile).toBeGreaterThan(20);
      expect(
        lines.filter((l) => l.lines > 1),
        profile,
      ).toEqual([]);
    }
    await page.screenshot({ path: join(SHOTS, '09-phone-elements.png') });
    await page.close();
  });

  it('fits every table of the profile, extension and guide pages in a 1440 px page', async () => {
    const page = await newPage(1440);
    const routes: string[] = [];
    for (const dir of ['reference/profils', 'reference/extensions', 'guides'])
      for (const f of await readdir(join(BUILD, dir))) if (f.endsWith('.html')) routes.push(`/${dir}/${f.replace(/\.html$/, '')}`);
    expect(routes.length).toBeGreaterThan(30);
    const wide: string[] = [];
    for (const route of routes) {
      await page.goto(`${base}${route}`);
      const over = await page.evaluate(() =>
        [...document.querySelectorAll('article table')]
          .filter((t) => t.getBoundingClientRect().width > 0 && t.scrollWidth > (t.closest('article') as HTMLElement).clientWidth + 1)
          .map((t) => t.querySelector('th')?.textContent ?? '?'),
      );
      if (over.length) wide.push(`${route}: ${over.join(', ')}`);
    }
    expect(wide).toEqual([]);
    await page.close();
  });

  it('offers each profile in JSON and XML, and the FHIR packages, as downloads that resolve', async () => {
    const page = await newPage();
    await page.goto(`${base}/reference/profils/mes-observation-bodyweight`);
    const href = async (name: string) =>
      (await page
        .locator('article a', { hasText: new RegExp(`^${name}$`) })
        .first()
        .getAttribute('href'))!;
    const json = await (await fetch(`${base}${await href('JSON')}`)).json();
    expect(json).toMatchObject({ resourceType: 'StructureDefinition', url: 'https://mes-fhir.org/fhir/StructureDefinition/mes-observation-bodyweight' });
    const xml = await (await fetch(`${base}${await href('XML')}`)).text();
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<StructureDefinition xmlns="http:\/\/hl7\.org\/fhir">/);
    expect(xml).toContain('<url value="https://mes-fhir.org/fhir/StructureDefinition/mes-observation-bodyweight"/>');
    await page.goto(`${base}/reference`);
    const tarballs = await page.locator('article a[href$=".tgz"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    expect(
      tarballs.map((t) =>
        t
          .split('/')
          .pop()!
          .replace(/-[\d.]+\.tgz$/, ''),
      ),
    ).toEqual(['mes-fhir.profiles', 'mes-fhir.nos']);
    for (const t of tarballs) {
      const bytes = new Uint8Array(await (await fetch(`${base}${t}`)).arrayBuffer());
      expect([bytes[0], bytes[1]], t).toEqual([0x1f, 0x8b]); // gzip
    }
    await page.close();
  });

  it('lists the changes of the profiles since the changelog baseline', async () => {
    const page = await newPage();
    await page.goto(`${base}/reference/changements`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Changements des profils');
    await expect(page.getByRole('heading', { name: 'MES Glycémie' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('td', { hasText: 'cassant pour les émetteurs' }).first().isVisible()).resolves.toBe(true);
    // in French, without the repository's commit hashes
    await expect(page.locator('td', { hasText: 'profil ajouté' }).first().isVisible()).resolves.toBe(true);
    await expect(page.locator('article').textContent()).resolves.not.toMatch(/profile-added|commit [0-9a-f]{7}/);
    await page.close();
  });

  it('keeps links at WCAG AA contrast (4.5:1) in dark mode, from the rendered styles', async () => {
    const page = await newPage();
    await page.goto(`${base}/reference/profils/mes-observation-bodyweight`);
    // the final colours at once (no colour transition), then the dark theme
    await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; }' });
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    const ratio = await page.evaluate(() => {
      const rgba = (css: string) => (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      const luminance = ([r, g, b]: number[]) => {
        const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
      };
      // a link of the page's own text, and the first opaque background behind it
      const link = document.querySelector('.theme-doc-markdown a[href]:not(.hash-link)') as HTMLElement;
      let behind: HTMLElement | null = link;
      while (behind && (rgba(getComputedStyle(behind).backgroundColor)[3] === 0 || getComputedStyle(behind).backgroundColor === 'transparent'))
        behind = behind.parentElement;
      const fg = luminance(rgba(getComputedStyle(link).color));
      const bg = luminance(rgba(getComputedStyle(behind ?? document.documentElement).backgroundColor));
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    });
    expect(ratio).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });

  it('renders the pairing sequence diagram (Mermaid)', async () => {
    const page = await newPage();
    await page.goto(`${base}/guides/appariement`);
    await page.locator('.docusaurus-mermaid-container svg').first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, '05-pairing.png') });
    await page.close();
  });

  it('logged no console error on any page', () => {
    expect(site.consoleErrors).toEqual([]);
  });
});
