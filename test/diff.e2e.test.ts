/** `mes-fhir diff` between real package versions, and the change lines of `mes-fhir codegen`. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, mirrorDir, runCli } from './helpers/repo.js';

let work: string;
const env = () => ({ FHIR_PACKAGE_MIRROR: mirrorDir(), FHIR_PACKAGE_CACHE: join(work, 'cache') });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mes-fhir-diff-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('mes-fhir diff', () => {
  it('FrCore 2.1.0 → 2.2.0 (name#version from the mirror): breaking changes found, exit 1', async () => {
    const out = await runCli(['diff', 'hl7.fhir.fr.core#2.1.0', 'hl7.fhir.fr.core#2.2.0'], env());
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    // a few known changes of FrCore 2.2.0
    expect(out.stdout).toMatch(
      /^https:\/\/hl7\.fr\/ig\/fhir\/core\/StructureDefinition\/fr-core-patient: \d+ breaking for senders, \d+ breaking for receivers, \d+ compatible$/m,
    );
    expect(out.stdout).toContain('[receivers] Patient.extension:nationality max: 1 → *');
    expect(out.stdout).toContain('[senders] Patient.identifier:INS-C.use min: 0 → 1');
    expect(out.stdout).toMatch(/\[senders\] https:\/\/hl7\.fr\/ig\/fhir\/core\/StructureDefinition\/fr-core-use-period profile-removed/);
    // pinning versions of the same canonicals is not reported as breaking
    expect(out.stdout).not.toMatch(/\[senders\] Observation\.subject target-profile/);
    expect(out.stdout).toMatch(/^\d+ profiles changed: \d+ breaking for senders, \d+ breaking for receivers$/m);
  });

  it('--format json gives every change with its impact', async () => {
    const out = await runCli(['diff', 'hl7.fhir.fr.core#2.1.0', 'hl7.fhir.fr.core#2.2.0', '--format', 'json'], env());
    const diffs = JSON.parse(out.stdout) as Array<{
      url: string;
      changes: Array<{ element: string; kind: string; impact: string; before?: string; after?: string }>;
    }>;
    const patient = diffs.find((d) => d.url.endsWith('/fr-core-patient'))!;
    expect(patient.changes).toContainEqual({ element: 'Patient.extension:nationality', kind: 'max', impact: 'receivers', before: '1', after: '*' });
  });

  it('a folder against its own tarball: nothing changed, exit 0', async () => {
    const tgz = join(work, 'ours.tgz');
    expect((await runCli(['fhir-package', '--tgz', tgz])).code).toBe(0);
    const out = await runCli(['diff', join(REPO_ROOT, 'generated', 'fhir'), tgz]);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe('0 profiles changed: 0 breaking for senders, 0 breaking for receivers');
  });

  it('a side that is not a package is a usage error', async () => {
    const out = await runCli(['diff', join(work, 'nothing-here'), 'hl7.fhir.fr.core#2.1.0'], env());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/not a folder, a \.tgz FHIR package or a name#version/);
  });
});

describe('codegen prints what changed in the profiles', () => {
  it('one line per changed profile, with its counts', async () => {
    const project = join(work, 'project');
    await cp(join(REPO_ROOT, 'fsh'), project, { recursive: true });
    const profiles = join(project, 'input', 'fsh', 'mesures', 'profiles.fsh');
    const text = await readFile(profiles, 'utf8');
    // the body weight now allows one note at most
    await writeFile(
      profiles,
      text.replace(/(Id: mes-observation-bodyweight\n[\s\S]*?\* insert MesMeasure\(mes-observation-bodyweight\)\n)/, '$1* note 0..1\n'),
    );
    const out = join(work, 'out');
    await cp(join(REPO_ROOT, 'generated'), out, { recursive: true });
    const run = await runCli(['codegen', '--project', project, '--out', out, '--ts-out', join(work, 'ts'), '--docs-out', join(work, 'docs')], env());
    expect(run.stderr).not.toMatch(/codegen failed/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 profiles changed:$/m);
    expect(run.stdout).toMatch(/^ {2}mes-observation-bodyweight: 1 breaking for senders, 0 breaking for receivers, 0 compatible$/m);
  });
});
