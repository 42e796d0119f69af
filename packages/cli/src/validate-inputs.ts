/**
 * What `mes-fhir validate` reads, lazily and within bounds: files and folders (symbolic links inside
 * a folder followed only when asked, never in a loop), NDJSON line by line with a bound on a line's
 * length, and standard input (XML, one JSON resource over several lines, or NDJSON, as its first
 * line says). Every input line gives one input, blank ones included, so that outputs and input
 * lines correspond one to one.
 */
import { createReadStream } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Input } from './validate-core.js';

/**
 * The longest line, file or standard-input document read (bytes). Longer ones are that input's
 * error instead of a crash: V8 strings stop at about 512 MiB, and readline died there.
 */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const TOO_LONG = (what: string, bytes: number) =>
  `${what} is ${Math.round(bytes / 1024 / 1024)} MiB, over the ${MAX_INPUT_BYTES / 1024 / 1024} MiB read at most: not read`;

/** One line of a stream: its text, or its length when it was too long to keep. */
interface Line {
  n: number;
  text?: string;
  tooLong?: number;
}

/** The lines of a stream, numbered from 1 (CRLF or LF); a line over `max` bytes is dropped as it arrives and comes as `tooLong`. */
export async function* readLines(stream: AsyncIterable<Buffer | string>, max = MAX_INPUT_BYTES): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  let n = 0;
  const take = (): Line => {
    n++;
    const line: Line = dropped ? { n, tooLong: dropped } : { n, text: Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    dropped = 0;
    return line;
  };
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let start = 0; ;) {
      const newline = buffer.indexOf(10, start);
      const piece = buffer.subarray(start, newline < 0 ? buffer.length : newline);
      if (dropped) dropped += piece.length;
      else if (size + piece.length > max) {
        dropped = size + piece.length;
        parts = [];
        size = 0;
      } else {
        parts.push(piece);
        size += piece.length;
      }
      if (newline < 0) break;
      yield take();
      start = newline + 1;
    }
  }
  if (size || dropped) yield take();
}

/** The input of one line of NDJSON: blank, too long, or JSON parsed where it is validated (in a worker when there are workers). */
function lineInput(file: string, line: Line): Input {
  const base = { label: `${file}:${line.n}`, file, line: line.n };
  if (line.tooLong !== undefined) return { ...base, parseError: TOO_LONG(`line ${line.n}`, line.tooLong) };
  if (!line.text!.trim()) return { ...base, blank: true };
  return { ...base, json: line.text };
}

/** JSON (one resource) or NDJSON (one per line), from a text already in memory. */
function textInputs(text: string, file: string): Input[] {
  try {
    return [{ label: file, file, resource: JSON.parse(text) }];
  } catch (wholeError) {
    const lines = text.split('\n');
    if (lines.filter((l) => l.trim()).length <= 1) return [{ label: file, file, parseError: `not valid JSON: ${(wholeError as Error).message}` }];
    if (lines.at(-1) === '') lines.pop();
    return lines.map((text, i) => lineInput(file, { n: i + 1, text: text.replace(/\r$/, '') }));
  }
}

/**
 * Whether JSON.parse failed only because the text stops early (`{` alone, `{"a": 1,`): the start of
 * a resource written over several lines, not a malformed NDJSON line.
 */
function stopsEarly(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch (e) {
    const message = (e as Error).message;
    if (/end of JSON input/.test(message)) return true;
    const at = /at position (\d+)/.exec(message);
    return at !== null && Number(at[1]) >= text.trimEnd().length;
  }
}

/** The rest of a stream's lines as one document, or why it is not read. */
async function restAsDocument(first: string, lines: AsyncIterator<Line>): Promise<{ text: string } | { error: string }> {
  const parts = [first];
  let bytes = first.length;
  for (let l = await lines.next(); !l.done; l = await lines.next()) {
    bytes += (l.value.text?.length ?? l.value.tooLong!) + 1;
    if (bytes > MAX_INPUT_BYTES || l.value.tooLong !== undefined) {
      while (!(await lines.next()).done); // read to the end, keeping nothing
      return { error: TOO_LONG('standard input', bytes) };
    }
    parts.push(l.value.text!);
  }
  return { text: parts.join('\n') };
}

/**
 * Standard input: XML when it starts with "<"; one JSON resource over several lines when its first
 * line stops early; otherwise NDJSON, streamed (a malformed line is that line's error, and the
 * lines after it are still read one by one).
 */
async function* stdinInputs(stdin: AsyncIterable<Buffer | string>): AsyncGenerator<Input> {
  const lines = readLines(stdin)[Symbol.asyncIterator]();
  const blanks: Line[] = [];
  let first = await lines.next();
  while (!first.done && first.value.text !== undefined && !first.value.text.trim()) {
    blanks.push(first.value);
    first = await lines.next();
  }
  const head = first.done ? undefined : first.value.text;
  if (head !== undefined && (head.trimStart().startsWith('<') || stopsEarly(head))) {
    const document = await restAsDocument(head, lines);
    if ('error' in document) yield { label: 'stdin', file: 'stdin', parseError: document.error };
    else if (head.trimStart().startsWith('<')) yield { label: 'stdin', file: 'stdin', xml: document.text };
    else yield* textInputs(document.text, 'stdin');
    return;
  }
  for (const blank of blanks) yield lineInput('stdin', blank);
  if (first.done) return;
  yield lineInput('stdin', first.value);
  for (let l = await lines.next(); !l.done; l = await lines.next()) yield lineInput('stdin', l.value);
}

/** Every input, lazily: .ndjson files and standard input are streamed line by line, so memory stays flat. */
export async function* readInputs(paths: string[], files: Map<string, string[]>, stdin: AsyncIterable<Buffer | string>): AsyncGenerator<Input> {
  for (const p of paths) {
    if (p === '-') {
      yield* stdinInputs(stdin);
      continue;
    }
    for (const path of files.get(p)!) {
      const file = relative(process.cwd(), path) || path;
      if (path.endsWith('.ndjson')) {
        for await (const line of readLines(createReadStream(path))) yield lineInput(file, line);
        continue;
      }
      const { size } = await stat(path);
      if (size > MAX_INPUT_BYTES) yield { label: file, file, parseError: TOO_LONG('the file', size) };
      else if (path.endsWith('.xml')) yield { label: file, file, xml: await readFile(path, 'utf8') };
      else yield* textInputs(await readFile(path, 'utf8'), file);
    }
  }
}

/** The files a path names: itself, or the *.json, *.ndjson and *.xml files under a folder, in name order. */
export interface CollectedFiles {
  files: string[];
  /** Symbolic links inside folders that were not followed (not asked to, a loop, or a dangling link). */
  skippedLinks: Array<{ path: string; why: string }>;
}

export async function collectFiles(path: string, followLinks: boolean): Promise<CollectedFiles> {
  const out: CollectedFiles = { files: [], skippedLinks: [] };
  // a path named on the command line is read whatever it is (the user chose it)
  if (!(await stat(path)).isDirectory()) out.files.push(path);
  else await collectFolder(path, followLinks, new Set([await realpath(path)]), out);
  return out;
}

/** A folder's files depth first, in name order; `seen`: the real paths of the folders read, so that a link loop ends. */
async function collectFolder(folder: string, followLinks: boolean, seen: Set<string>, out: CollectedFiles): Promise<void> {
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(folder, entry.name);
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      if (!followLinks) {
        out.skippedLinks.push({ path: full, why: 'a symbolic link (--follow-symlinks reads it)' });
        continue;
      }
      try {
        isDirectory = (await stat(full)).isDirectory();
      } catch (e) {
        out.skippedLinks.push({ path: full, why: `a symbolic link that cannot be followed (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
        continue;
      }
    }
    if (isDirectory) {
      const real = await realpath(full);
      if (seen.has(real)) {
        out.skippedLinks.push({ path: full, why: 'a symbolic link back into a folder already read' });
        continue;
      }
      seen.add(real);
      await collectFolder(full, followLinks, seen, out);
    } else if (/\.(ndjson|json|xml)$/.test(entry.name)) out.files.push(full);
  }
}
