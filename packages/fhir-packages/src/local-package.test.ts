import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { t as listTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedPackageDir } from './cache.js';
import { installPackages } from './install.js';
import { installFolderPackage, packFolderPackage } from './local-package.js';
import { chooseSource } from './project.js';

let root: string;
let folder: string;

/** A package folder (the content of `package/`) depending on `dep.core#1.0.0`. */
async function makeFolder(dir: string, name: string, version: string, dependencies: Record<string, string> = {}) {
  await mkdir(join(dir, 'example'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, dependencies }));
  await writeFile(
    join(dir, 'StructureDefinition-p.json'),
    JSON.stringify({ resourceType: 'StructureDefinition', id: 'p', url: `http://example.org/${name}/p` }),
  );
  await writeFile(join(dir, 'example', 'Observation-o.json'), JSON.stringify({ resourceType: 'Observation', id: 'o' }));
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'local-package-test-'));
  folder = join(root, 'ours');
  await makeFolder(folder, 'our.profiles', '0.3.0', { 'dep.core': '1.0.0' });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('packFolderPackage', () => {
  it('writes a tarball rooted at package/ that the installer accepts, byte-identical on a second run', async () => {
    const mirror = join(root, 'mirror');
    await packFolderPackage(folder, join(mirror, 'our.profiles-0.3.0.tgz'));
    const entries: string[] = [];
    await listTar({ file: join(mirror, 'our.profiles-0.3.0.tgz'), onReadEntry: (e) => entries.push(e.path) });
    expect(entries).toEqual(['package/StructureDefinition-p.json', 'package/example/Observation-o.json', 'package/package.json']);

    const first = await readFile(join(mirror, 'our.profiles-0.3.0.tgz'));
    await packFolderPackage(folder, join(root, 'again.tgz'));
    expect(Buffer.compare(first, await readFile(join(root, 'again.tgz')))).toBe(0);

    await makeFolderTarball(mirror, 'dep.core', '1.0.0');
    const cache = join(root, 'cache');
    const result = await installPackages([{ name: 'our.profiles', version: '0.3.0' }], { cacheDir: cache, mirror });
    expect(result.packages.map((p) => p.name)).toEqual(['our.profiles', 'dep.core']);
    expect(existsSync(join(cachedPackageDir(cache, { name: 'our.profiles', version: '0.3.0' }), 'example', 'Observation-o.json'))).toBe(true);
  });
});

async function makeFolderTarball(mirror: string, name: string, version: string) {
  const dir = join(root, `src-${name}`);
  await makeFolder(dir, name, version);
  await packFolderPackage(dir, join(mirror, `${name}-${version}.tgz`));
}

describe('installFolderPackage', () => {
  it('puts the folder into the cache as <name>#<version>/package with its dependencies, replacing an older copy', async () => {
    const mirror = join(root, 'mirror');
    await makeFolderTarball(mirror, 'dep.core', '1.0.0');
    const cache = join(root, 'cache');
    const first = await installFolderPackage(folder, { cacheDir: cache, mirror });
    expect(first.cachedAt).toBe(join(cache, 'our.profiles#0.3.0'));
    expect(first.dependencies.packages.map((p) => `${p.name}#${p.version}`)).toEqual(['dep.core#1.0.0']);

    await writeFile(join(folder, 'ValueSet-new.json'), JSON.stringify({ resourceType: 'ValueSet', id: 'new' }));
    await installFolderPackage(folder, { cacheDir: cache, mirror });
    expect(existsSync(join(cache, 'our.profiles#0.3.0', 'package', 'ValueSet-new.json'))).toBe(true);
  });

  it('fails clearly on a folder without package.json', async () => {
    await expect(installFolderPackage(join(root, 'nowhere'), { cacheDir: join(root, 'cache') })).rejects.toThrow(
      /package\.json: cannot be read as a FHIR package manifest/,
    );
  });
});

describe('chooseSource', () => {
  it('takes a named project or folder, else ./generated/fhir in the layout of this repository, else the bundled definitions', async () => {
    expect(chooseSource({ projectDir: 'fsh', cwd: root })).toEqual({
      kind: 'project',
      projectDir: join(root, 'fsh'),
      generatedDir: join(root, 'generated', 'fhir'),
    });
    expect(chooseSource({ generatedDir: 'defs', cwd: root })).toEqual({ kind: 'generated', generatedDir: join(root, 'defs') });
    expect(chooseSource({ cwd: root }).kind).toBe('bundled');
    const local = join(root, 'generated', 'fhir');
    await makeFolder(local, 'our.profiles', '0.3.0');
    expect(chooseSource({ cwd: root }).kind).toBe('bundled'); // a package folder, but not a codegen output
    await writeFile(join(local, 'manifest.json'), '{}');
    expect(chooseSource({ cwd: root }).kind).toBe('bundled'); // a manifest, but not codegen's
    await writeFile(join(local, 'manifest.json'), JSON.stringify({ generator: '@mes-fhir/codegen' }));
    expect(chooseSource({ cwd: root }).kind).toBe('bundled'); // codegen's output, but no FSH project beside it
    await mkdir(join(root, 'fsh'), { recursive: true });
    await writeFile(join(root, 'fsh', 'sushi-config.yaml'), 'id: x\n');
    expect(chooseSource({ cwd: root })).toEqual({ kind: 'generated', generatedDir: local });
  });
});
