import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from './validate-inputs.js';

const linesOf = async (chunks: string[], max?: number) => {
  const out = [];
  for await (const line of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(line);
  return out;
};

describe('readLines', () => {
  it('numbers every line from 1, blank ones included, across chunks and CRLF', async () => {
    expect(await linesOf(['{"a":', '1}\r\n\n{"b"', ':2}\n'])).toEqual([
      { n: 1, text: '{"a":1}' },
      { n: 2, text: '' },
      { n: 3, text: '{"b":2}' },
    ]);
    expect(await linesOf(['x\ny'])).toEqual([
      { n: 1, text: 'x' },
      { n: 2, text: 'y' },
    ]);
  });
  it('keeps a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('é\n');
    const out = [];
    for await (const line of readLines(Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]))) out.push(line);
    expect(out).toEqual([{ n: 1, text: 'é' }]);
  });
  it('reports a line over the bound as too long, keeps none of it, and reads on', async () => {
    expect(await linesOf(['short\n', 'x'.repeat(30), 'x'.repeat(30), '\nafter\n'], 50)).toEqual([
      { n: 1, text: 'short' },
      { n: 2, tooLong: 60 },
      { n: 3, text: 'after' },
    ]);
  });
});
