import { mkdtemp, mkdir, writeFile, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as createTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installPackages } from './install.js';
import { indexFolders } from './package-folder.js';
import { InvalidPackageError, PackageNotFoundError } from './errors.js';
import { cachedPackageDir } from './cache.js';

let root: string;
let mirror: string;
let cache: string;

/** Writes `<mirror>/<name>-<version>.tgz` holding package/package.json and one resource. */
async function makeTarball(name: string, version: string, dependencies: Record<string, string> = {}, manifestName = name) {
  const src = await mkdtemp(join(root, 'src-'));
  await mkdir(join(src, 'package'));
  await writeFile(join(src, 'package', 'package.json'), JSON.stringify({ name: manifestName, version, dependencies }));
  await writeFile(
    join(src, 'package', `StructureDefinition-${name}.json`),
    JSON.stringify({ resourceType: 'StructureDefinition', id: name, url: `http://example.org/${name}` }),
  );
  await createTar({ gzip: true, file: join(mirror, `${name}-${version}.tgz`), cwd: src }, ['package']);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fhir-packages-test-'));
  mirror = join(root, 'mirror');
  cache = join(root, 'cache');
  await mkdir(mirror);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('installPackages', () => {
  it('installs required packages and their dependencies from the mirror into <cache>/<name>#<version>/package', async () => {
    await makeTarball('a.core', '1.0.0', { 'b.dep': '2.0.0' });
    await makeTarball('b.dep', '2.0.0');
    const result = await installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror });
    expect(result.offline).toBe(true);
    expect(result.packages.map((p) => `${p.name}#${p.version}:${p.origin}:${p.required}`)).toEqual(['a.core#1.0.0:mirror:true', 'b.dep#2.0.0:mirror:false']);
    expect(existsSync(join(cachedPackageDir(cache, { name: 'b.dep', version: '2.0.0' }), 'StructureDefinition-b.dep.json'))).toBe(true);
    // no scratch folders left behind
    expect((await readdir(cache)).sort()).toEqual(['a.core#1.0.0', 'b.dep#2.0.0']);
  });

  it('writes the .index.json a package lacks, so that loading it parses no resource file', async () => {
    await makeTarball('a.core', '1.0.0');
    await installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror });
    const dir = cachedPackageDir(cache, { name: 'a.core', version: '1.0.0' });
    expect(JSON.parse(await readFile(join(dir, '.index.json'), 'utf8'))).toEqual({
      'index-version': 2,
      files: [{ filename: 'StructureDefinition-a.core.json', resourceType: 'StructureDefinition', id: 'a.core', url: 'http://example.org/a.core' }],
    });
    // listed from the index: the resource is read only when asked for
    await writeFile(
      join(dir, 'StructureDefinition-a.core.json'),
      JSON.stringify({ resourceType: 'StructureDefinition', id: 'changed', url: 'http://example.org/a.core' }),
    );
    const index = indexFolders([{ label: 'a', dir }]);
    expect(index.findEntry('http://example.org/a.core')?.id).toBe('a.core');
    expect(index.resolve('http://example.org/a.core')?.id).toBe('changed');
  });

  it('uses the cache first and never reads the mirror again', async () => {
    await makeTarball('a.core', '1.0.0');
    await installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror });
    await rm(join(mirror, 'a.core-1.0.0.tgz'));
    const again = await installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror });
    expect(again.packages[0]?.origin).toBe('cache');
  });

  it('fails on a missing required package, naming it and every place looked', async () => {
    const error = await installPackages([{ name: 'x.missing', version: '3.1.0' }], { cacheDir: cache, mirror }).catch((e) => e);
    expect(error).toBeInstanceOf(PackageNotFoundError);
    expect(error.message).toContain('x.missing#3.1.0');
    expect(error.message).toContain(join(cache, 'x.missing#3.1.0'));
    expect(error.message).toContain(join(mirror, 'x.missing-3.1.0.tgz'));
  });

  it('only warns for a missing dependency of a dependency', async () => {
    await makeTarball('a.core', '1.0.0', { 'z.absent': '9.9.9' });
    const result = await installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror });
    expect(result.packages).toHaveLength(1);
    expect(result.warnings).toEqual([expect.stringContaining('z.absent#9.9.9 (declared by a.core#1.0.0)')]);
  });

  it("resolves a dependency the project pins itself to the project's version", async () => {
    await makeTarball('a.core', '1.0.0', { 'b.dep': '1.0.0' });
    await makeTarball('b.dep', '2.0.0');
    const result = await installPackages(
      [
        { name: 'a.core', version: '1.0.0' },
        { name: 'b.dep', version: '2.0.0' },
      ],
      { cacheDir: cache, mirror },
    );
    expect(result.packages.map((p) => `${p.name}#${p.version}`)).toEqual(['a.core#1.0.0', 'b.dep#2.0.0']);
    expect(result.warnings).toEqual([]);
  });

  it('resolves `latest` and patch wildcards against the mirror', async () => {
    await makeTarball('a.core', '1.0.0', { 'b.dep': '2.1.x' });
    await makeTarball('b.dep', '2.1.0');
    await makeTarball('b.dep', '2.1.3');
    await makeTarball('b.dep', '2.2.0');
    const result = await installPackages([{ name: 'a.core', version: 'latest' }], { cacheDir: cache, mirror });
    expect(result.packages.map((p) => `${p.name}#${p.version}`)).toEqual(['a.core#1.0.0', 'b.dep#2.1.3']);
  });

  it('rejects a tarball whose package.json names another package', async () => {
    await makeTarball('a.core', '1.0.0', {}, 'not.a.core');
    await expect(installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror })).rejects.toBeInstanceOf(InvalidPackageError);
    expect(existsSync(join(cache, 'a.core#1.0.0'))).toBe(false);
  });

  it('uses the registry when no mirror is set', async () => {
    await makeTarball('a.core', '1.0.0');
    const { readFile } = await import('node:fs/promises');
    const requested: string[] = [];
    const fakeFetch = (async (url: string) => {
      requested.push(url);
      return new Response(new Uint8Array(await readFile(join(mirror, 'a.core-1.0.0.tgz'))));
    }) as unknown as typeof fetch;
    const result = await installPackages([{ name: 'a.core', version: '1.0.0' }], {
      cacheDir: cache,
      env: {},
      registry: 'https://registry.test',
      fetchImpl: fakeFetch,
    });
    expect(requested).toEqual(['https://registry.test/a.core/1.0.0']);
    expect(result.packages[0]?.origin).toBe('registry');
  });

  it('refuses package names and versions that are not FHIR ones before building a path', async () => {
    await makeTarball('a.core', '1.0.0', { 'x/../../../../tmp/evil': '1.0.0', 'ok.dep': '../../1.0' });
    const result = await installPackages([{ name: 'a.core', version: '1.0.0' }], { cacheDir: cache, mirror });
    expect(result.packages.map((p) => p.name)).toEqual(['a.core']);
    expect(result.warnings).toEqual([
      'a.core#1.0.0 declares a dependency that is ignored: "x/../../../../tmp/evil" is not a FHIR package name',
      'a.core#1.0.0 declares a dependency that is ignored: "../../1.0" is not a FHIR package version',
    ]);
    await expect(installPackages([{ name: '../a.core', version: '1.0.0' }], { cacheDir: cache, mirror })).rejects.toThrow(InvalidPackageError);
    await expect(installPackages([{ name: 'a.core', version: '1.0.0/../../x' }], { cacheDir: cache, mirror })).rejects.toThrow(/not a FHIR package version/);
    expect(await readdir(root)).toEqual(expect.not.arrayContaining(['tmp']));
  });
});
