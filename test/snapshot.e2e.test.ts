/**
 * Snapshot generation from differentials (@mes-fhir/profile-model generateSnapshot), checked
 * against the snapshots SUSHI (and the IG Publisher, for the packages it built) wrote: every
 * profile of generated/fhir and of the project's FHIR packages, element by element, on
 * cardinality, types, fixed/pattern values, bindings, constraints and slicing. Then the
 * validator on differential-only profiles, and `mes-fhir snapshot`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceIndex, indexFolders, projectLayers, type InstallResult } from '@mes-fhir/fhir-packages';
import { generateSnapshot, type ElementDefinitionJson, type StructureDefinitionJson } from '@mes-fhir/profile-model';
import { Validator } from '@mes-fhir/validator';
import { REPO_ROOT, loadRepoIndex, runCli } from './helpers/repo.js';

const GENERATED = join(REPO_ROOT, 'generated', 'fhir');
const OUTPUT = join(REPO_ROOT, 'test-output');
let packages: InstallResult;
const scratch = mkdtempSync(join(tmpdir(), 'mes-snapshot-test-'));

beforeAll(async () => {
  ({ packages } = await loadRepoIndex());
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const unversioned = (url: string) => url.split('|')[0]!;
const sortedKeys = (v: unknown) =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

/** What the comparison looks at in an element (versions of canonicals aside: `|4.0.1` pins the same thing). */
function facets(e: ElementDefinitionJson): Record<string, string> {
  return {
    cardinality: `${e.min}..${e.max}`,
    types: JSON.stringify((e.type ?? []).map((t) => [t.code, (t.profile ?? []).map(unversioned).sort(), (t.targetProfile ?? []).map(unversioned).sort()])),
    'fixed/pattern': sortedKeys(Object.entries(e).filter(([k]) => /^(fixed|pattern)[A-Z]/.test(k))),
    binding: e.binding ? `${e.binding.strength} ${unversioned(e.binding.valueSet ?? '')}` : '',
    constraints: (e.constraint ?? [])
      .map((c) => c.key)
      .sort()
      .join(','),
    slicing: e.slicing ? `${(e.slicing.discriminator ?? []).map((d) => `${d.type}:${d.path}`).join(',')} ${e.slicing.rules}` : '',
  };
}

interface Difference {
  pkg: string;
  profile: string;
  element: string;
  facet: string;
  expected: string;
  generated: string;
}

/** Generates each constraint profile of a folder from its differential and compares with its snapshot. */
function compareFolder(label: string, dir: string, index: ResourceIndex): { profiles: number; elements: number; differences: Difference[]; issues: string[] } {
  const source = (url: string) => index.resolveOfType<StructureDefinitionJson>(url, 'StructureDefinition')?.snapshot?.element;
  const result = { profiles: 0, elements: 0, differences: [] as Difference[], issues: [] as string[] };
  for (const file of readdirSync(dir).filter((f) => f.startsWith('StructureDefinition-') && f.endsWith('.json'))) {
    const sd = JSON.parse(readFileSync(join(dir, file), 'utf8')) as StructureDefinitionJson;
    if (sd.derivation !== 'constraint' || !sd.differential?.element?.length || !sd.snapshot?.element?.length) continue;
    result.profiles++;
    const generated = generateSnapshot(sd, source);
    result.issues.push(...generated.issues.map((i) => `${sd.id}: ${i}`));
    const ours = new Map(generated.element.map((e) => [e.id ?? e.path, e]));
    for (const expected of sd.snapshot.element) {
      const id = expected.id ?? expected.path;
      const mine = ours.get(id);
      // Children the generator leaves folded (data types no rule reaches) come from their type.
      if (!mine) continue;
      result.elements++;
      const a = facets(expected);
      const b = facets(mine);
      for (const facet of Object.keys(a)) {
        if (a[facet] !== b[facet])
          result.differences.push({ pkg: label, profile: sd.id ?? sd.url, element: id, facet, expected: a[facet]!, generated: b[facet]! });
      }
    }
  }
  return result;
}

/**
 * `Bundle.entry.response.outcome`: these packages were compiled against the R4 core before the
 * mirror's correction (OperationOutcome, an R5 change); R4 and our mirror say Resource.
 */
const beforeCoreCorrection = (d: Difference) => d.element.endsWith('.response.outcome') && d.facet === 'types' && d.expected.includes('OperationOutcome');

/**
 * Packages built by the IG Publisher, whose snapshot generator adds things SUSHI and the FHIR
 * rules do not require (a sliced element's minimum raised to its slices' sum, a type profile's
 * root constraints copied, bindings of another R4 core build). Their differences are listed in
 * test-output/snapshot-differences.txt; the ceiling catches a regression.
 */
const CEILING: Record<string, number> = {
  'hl7.fhir.r4.core': 10,
  'hl7.fhir.fr.core': 80,
  'hl7.fhir.uv.extensions.r4': 70,
  // SUSHI-built, but against a FrCore version the mirror lacks (its Schedule.actor targets differ)
  'ans.fhir.fr.gap': 1,
};

describe('snapshot generation against SUSHI', () => {
  it('matches every element of our profiles and of the SUSHI-built packages; lists the rest', () => {
    const byRef = new Map(packages.packages.map((p) => [`${p.name}#${p.version}`, p]));
    const all: Difference[] = [];
    const summary: string[] = [];
    const folders: Array<{ label: string; dir: string; chain: string[] }> = [{ label: 'generated', dir: GENERATED, chain: [] }];
    for (const p of packages.packages) {
      // each package against its own dependencies, at the versions it names
      const chain: string[] = [];
      const queue = Object.entries(p.manifest.dependencies ?? {});
      while (queue.length) {
        const [name, version] = queue.shift()!;
        // the version it names, else the one the project installed (GAP names a FrCore it does not get)
        const dep = byRef.get(`${name}#${version}`) ?? packages.packages.find((x) => x.name === name);
        if (!dep || chain.includes(dep.dir)) continue;
        chain.push(dep.dir);
        queue.push(...Object.entries(dep.manifest.dependencies ?? {}));
      }
      folders.push({ label: p.name, dir: p.dir, chain });
    }
    let profiles = 0;
    let elements = 0;
    const checks: Array<{ label: string; differences: Difference[]; issues: string[] }> = [];
    for (const f of folders) {
      const index =
        f.label === 'generated'
          ? indexFolders(projectLayers(packages, GENERATED))
          : indexFolders([{ label: f.label, dir: f.dir }, ...f.chain.map((dir, i) => ({ label: `dep-${i}`, dir }))]);
      const r = compareFolder(f.label, f.dir, index);
      profiles += r.profiles;
      elements += r.elements;
      const differences = r.differences.filter((d) => !beforeCoreCorrection(d));
      all.push(...differences);
      checks.push({ label: f.label, differences, issues: r.issues });
      summary.push(
        `${f.label}: ${r.profiles} profiles, ${r.elements} elements compared, ${differences.length} differences, ${r.issues.length} differential elements not placed`,
      );
    }
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(
      join(OUTPUT, 'snapshot-differences.txt'),
      [...summary, '', ...all.map((d) => `${d.pkg} ${d.profile} ${d.element} ${d.facet}: expected ${d.expected} | generated ${d.generated}`)].join('\n') + '\n',
    );
    for (const { label, differences, issues } of checks) {
      if (CEILING[label] === undefined) {
        // ours and the packages SUSHI compiled: no difference at all, every differential element placed
        expect(differences, `${label}\n${differences.map((d) => `${d.profile} ${d.element} ${d.facet}: ${d.expected} ≠ ${d.generated}`).join('\n')}`).toEqual(
          [],
        );
        expect(issues).toEqual([]);
      } else {
        expect(differences.length, label).toBeLessThanOrEqual(CEILING[label]!);
      }
    }
    expect(profiles).toBeGreaterThan(500);
    expect(elements).toBeGreaterThan(10_000);
  });
});

describe('the validator on profiles without a snapshot', () => {
  let withSnapshots: Validator;
  let differentialOnly: Validator;
  const DIFF_BASE = 'https://example.org/differential-only/';
  const ours = readdirSync(GENERATED).filter((f) => f.startsWith('StructureDefinition-'));

  beforeAll(() => {
    // Each of our profiles again, under another url, with its differential only.
    const dir = join(scratch, 'differential-only');
    mkdirSync(dir);
    for (const file of ours) {
      const sd = JSON.parse(readFileSync(join(GENERATED, file), 'utf8'));
      delete sd.snapshot;
      sd.url = DIFF_BASE + sd.id;
      writeFileSync(join(dir, file), JSON.stringify(sd));
    }
    withSnapshots = new Validator(indexFolders(projectLayers(packages, GENERATED)));
    differentialOnly = new Validator(indexFolders([{ label: 'differential-only', dir }, ...projectLayers(packages, GENERATED)]), [
      'generated',
      'differential-only',
    ]);
  });

  const examples = readdirSync(join(GENERATED, 'example')).filter((f) => f.startsWith('Observation-') || f.startsWith('Appointment-'));
  it.each(examples)("gives %s the same verdict and issues with the generated snapshot as with SUSHI's", (file) => {
    const resource = JSON.parse(readFileSync(join(GENERATED, 'example', file), 'utf8'));
    const profile = ours
      .map((f) => f.slice('StructureDefinition-'.length, -'.json'.length))
      .find((id) => (file.startsWith('Observation-') ? resource.meta?.profile?.[0]?.endsWith(`/${id}`) : id === 'mes-appointment'))!;
    expect(profile).toBeDefined();
    const strip = (issues: ReturnType<Validator['validateToIssues']>) =>
      issues
        .filter((i) => i.severity === 'error')
        .map((i) => `${i.location} ${i.message.replaceAll(DIFF_BASE, 'https://mes-fhir.org/fhir/StructureDefinition/')}`)
        .sort();
    const broken = structuredClone(resource);
    broken.status = 'done';
    delete broken.subject;
    for (const r of [resource, broken]) {
      const a = strip(withSnapshots.validateToIssues(r, { profile: `https://mes-fhir.org/fhir/StructureDefinition/${profile}` }));
      const b = strip(differentialOnly.validateToIssues(r, { profile: DIFF_BASE + profile }));
      expect(b).toEqual(a);
    }
  });
});

describe('mes-fhir snapshot', () => {
  it('writes the StructureDefinition with its generated snapshot, and says what it could not place', async () => {
    const sd = JSON.parse(readFileSync(join(GENERATED, 'StructureDefinition-mes-observation-bodyweight.json'), 'utf8'));
    const expectedCount = sd.snapshot.element.length;
    delete sd.snapshot;
    sd.url = 'https://example.org/StructureDefinition/weight';
    const input = join(scratch, 'weight.json');
    writeFileSync(input, JSON.stringify(sd));
    const out = join(scratch, 'weight-snapshot.json');
    const ok = await runCli(['snapshot', input, '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.snapshot.element.length).toBeGreaterThan(expectedCount / 2);
    expect(written.snapshot.element.find((e: ElementDefinitionJson) => e.id === 'Observation.code.coding:BodyWeightCode')).toBeDefined();

    sd.differential.element.push({ id: 'Observation.nonexistent', path: 'Observation.nonexistent', min: 1 });
    writeFileSync(input, JSON.stringify(sd));
    const partial = await runCli(['snapshot', input]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('Observation.nonexistent: no such element in the base');

    const orphan = { ...sd, baseDefinition: 'https://example.org/StructureDefinition/unknown' };
    writeFileSync(input, JSON.stringify(orphan));
    const none = await runCli(['snapshot', input]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('base https://example.org/StructureDefinition/unknown');
    const bad = await runCli(['snapshot', join(scratch, 'missing.json')]);
    expect(bad.code).toBe(2);
  });
});
