import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDependencies, NOS_PACKAGE } from './bundled-packages.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mes-bundled-'));
  await mkdir(join(root, 'fhir'));
  await mkdir(join(root, 'nos'));
  await writeFile(join(root, 'nos', 'package.json'), JSON.stringify({ name: NOS_PACKAGE, version: '2024.12.13' }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('bundledDependencies', () => {
  it('finds mes-fhir.nos beside the definitions, ignores the packages a registry serves', () => {
    const r = bundledDependencies(
      [
        { name: NOS_PACKAGE, version: '2024.12.13' },
        { name: 'hl7.fhir.r4.core', version: '4.0.1' },
      ],
      join(root, 'fhir'),
    );
    expect(r.found).toEqual([{ name: NOS_PACKAGE, version: '2024.12.13', dir: join(root, 'nos') }]);
    expect([...r.missing, ...r.otherVersion]).toEqual([]);
  });

  it('says when the version found is not the one asked', () => {
    const r = bundledDependencies([{ name: NOS_PACKAGE, version: '2025.1.1' }], join(root, 'fhir'));
    expect(r.found).toHaveLength(1);
    expect(r.otherVersion).toEqual([expect.stringContaining('mes-fhir.nos#2025.1.1, a dependency of')]);
  });
});
