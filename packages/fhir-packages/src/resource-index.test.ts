import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexFolders } from './package-folder.js';
import { ResourceIndex } from './resource-index.js';

let root: string;
const sd = (id: string, base?: string, version = '1.0.0') => ({
  resourceType: 'StructureDefinition',
  id,
  url: `http://x.org/${id}`,
  version,
  ...(base ? { baseDefinition: `http://x.org/${base}` } : {}),
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'resource-index-'));
  for (const dir of ['own', 'dep', 'dep/example', 'indexed']) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'own', 'a.json'), JSON.stringify(sd('child', 'parent', '2.0.0')));
  await writeFile(join(root, 'dep', 'b.json'), JSON.stringify(sd('parent', 'root')));
  await writeFile(join(root, 'dep', 'c.json'), JSON.stringify(sd('child', 'other', '1.0.0')));
  await writeFile(join(root, 'dep', 'broken.json'), '{ not json');
  await writeFile(join(root, 'dep', 'example', 'ex.json'), JSON.stringify({ resourceType: 'Observation', id: 'ex' }));
  await writeFile(join(root, 'indexed', 'r.json'), JSON.stringify(sd('root')));
  // a hostile .index.json: entries pointing outside the package, one at a file that is not JSON
  await mkdir(join(root, 'hostile'));
  await writeFile(join(root, 'secret.txt'), 'root:x:0:0:secret');
  await writeFile(join(root, 'hostile', 'notes.json'), 'root:x:0:0:secret');
  await writeFile(
    join(root, 'hostile', '.index.json'),
    JSON.stringify({
      files: [
        { filename: '../secret.txt', resourceType: 'StructureDefinition', url: 'http://x.org/escape' },
        { filename: '..', resourceType: 'StructureDefinition', url: 'http://x.org/parent-folder' },
        { filename: 'notes.json', resourceType: 'StructureDefinition', url: 'http://x.org/notes' },
      ],
    }),
  );
  await mkdir(join(root, 'bad-index'));
  await writeFile(join(root, 'bad-index', '.index.json'), '{ not json');
  await writeFile(join(root, 'bad-index', 'r.json'), JSON.stringify(sd('listed')));
  await writeFile(
    join(root, 'indexed', '.index.json'),
    JSON.stringify({ files: [{ filename: 'r.json', resourceType: 'StructureDefinition', id: 'root', url: 'http://x.org/root' }] }),
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('ResourceIndex', () => {
  it('lets earlier layers win and resolves url|version', () => {
    const index = indexFolders([
      { label: 'own', dir: join(root, 'own') },
      { label: 'dep', dir: join(root, 'dep'), includeExamples: true },
      { label: 'indexed', dir: join(root, 'indexed') },
    ]);
    expect(index.resolve('http://x.org/child')?.version).toBe('2.0.0');
    expect(index.resolve('http://x.org/child|1.0.0')?.baseDefinition).toBe('http://x.org/other');
    expect(index.findEntry('http://x.org/child')?.source).toBe('own');
    expect(index.baseChain('http://x.org/child')).toEqual(['http://x.org/child', 'http://x.org/parent', 'http://x.org/root']);
    expect(index.list('Observation').map((e) => e.id)).toEqual(['ex']);
    expect(index.resolve('http://x.org/nothing')).toBeUndefined();
  });

  it('never reads outside a package, nor quotes a file it cannot parse', () => {
    const index = indexFolders([{ label: 'hostile', dir: join(root, 'hostile') }]);
    expect(index.findEntry('http://x.org/escape')).toBeUndefined();
    expect(index.findEntry('http://x.org/parent-folder')).toBeUndefined();
    const notes = index.findEntry('http://x.org/notes')!;
    expect(() => index.read(notes)).toThrow(/notes\.json \(hostile\) cannot be read as a JSON resource$/);
    expect(() => index.read(notes)).not.toThrow(/secret/);
  });
  it('lists the folder when its .index.json is not JSON', () => {
    const index = indexFolders([{ label: 'bad', dir: join(root, 'bad-index') }]);
    expect(index.resolve('http://x.org/listed')?.id).toBe('listed');
  });

  it('reads a layer kept anywhere (a browser fetches it) once per resource, on first use', () => {
    const reads: string[] = [];
    const index = new ResourceIndex([
      {
        label: 'memory',
        entries: [{ resourceType: 'StructureDefinition', url: 'http://x.org/root', file: 'r' }],
        read: (file) => (reads.push(file), sd('root')),
      },
      {
        label: 'broken',
        entries: [{ resourceType: 'ValueSet', url: 'http://x.org/gone', file: 'g' }],
        read: () => {
          throw Object.assign(new Error('404 <secret>'), { code: 'E404' });
        },
      },
    ]);
    expect(reads).toEqual([]);
    expect(index.resolve('http://x.org/root')?.id).toBe('root');
    expect(index.resolve('http://x.org/root')?.id).toBe('root');
    expect(reads).toEqual(['r']);
    expect(() => index.resolve('http://x.org/gone')).toThrow(/^g \(broken\) cannot be read as a JSON resource \(E404\)$/);
  });
});
