import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  await writeFile(
    join(root, 'indexed', '.index.json'),
    JSON.stringify({ files: [{ filename: 'r.json', resourceType: 'StructureDefinition', id: 'root', url: 'http://x.org/root' }] }),
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('ResourceIndex', () => {
  it('lets earlier layers win and resolves url|version', () => {
    const index = new ResourceIndex([
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
});
