import { readFile, stat } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { indexFolders, projectLayers, type ResourceLayer } from '@mes-fhir/fhir-packages';
import { Validator, type ValidatorSettings } from '@mes-fhir/validator';
import { availableParallelism } from 'node:os';
import { checkInput, type Checked, type Input } from './validate-core.js';
import { ValidationPool } from './validate-pool.js';
import { collectFiles, readInputs, MAX_INPUT_BYTES, type CollectedFiles } from './validate-inputs.js';
import { collectLoadOption, xmlDefinitionsLayer } from './load-option.js';
import { escapeControlCharacters } from '@mes-fhir/core';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { loadProject, PROJECT_OPTIONS, PROJECT_OPTIONS_USAGE } from './project-options.js';

export const VALIDATE_USAGE = `Usage: mes-fhir validate <file|folder|->... [--profile <url>] [--load <file|folder>]...
                        [--cda <file>]... [--format text|json] [--fail-on error|warning]
                        [--workers <n|auto>] [--follow-symlinks] [--allow-example-urls]
                        [--security-checks] [--html-in-markdown ignore|warning|error]

Validates FHIR R4 resources offline (JSON, NDJSON or XML) against their base definition, the
profiles they claim in meta.profile (an MES canonical resolves to our profile that requires it)
and --profile. Folders are read recursively (*.json, *.ndjson, *.xml; symbolic links inside them
are skipped, and said so, unless --follow-symlinks); "-" reads standard input (XML when it starts
with "<", one JSON resource when its first line is the start of one, else NDJSON). XML issues are
located as for JSON (Observation.valueQuantity).

  --profile <url>    also validate against this profile
  --load <path>      add StructureDefinitions, ValueSets and CodeSystems from JSON or FHIR XML files
                     (repeatable; folders read recursively)
  --cda <file>       the CDA R2 document of a DocumentReference whose attachment carries no data
                     (attachment.url): checked as if inline (size, hash, header agreement). One
                     --cda serves every such attachment; with several, each goes to the
                     attachment whose url ends with its file name (repeatable)
  --format text      issues per resource and a summary (default)
  --format json      one OperationOutcome per input, as NDJSON, in input order: one line per NDJSON
                     input line (a blank line gets an informational outcome), each naming its
                     input (HL7 extensions operationoutcome-file, and operationoutcome-issue-line
                     on each issue of an NDJSON line)
  --fail-on <level>  exit 1 on errors (default) or also on warnings
  --workers <n|auto> worker threads that validate in parallel (auto: one per core, up to 4, when
                     the NDJSON input is over 20 MB; else 1). Output keeps the input order.
  --follow-symlinks  read what symbolic links inside folders point to (a link back into a folder
                     already read is skipped)
  --allow-example-urls
                     accept URLs on example hosts (example.org, example.com…) where a real URL is
                     expected (a url, a canonical, a Coding's system); refused by default, as the
                     HL7 validator does; an implementation guide's own examples need it
  --security-checks  refuse any string or markdown holding what looks like an HTML tag (<script>,
                     <b>…): text that becomes markup could run in a reader's browser
  --html-in-markdown <level>
                     an HTML-like tag in markdown is a warning (default), an error, or ignored

NDJSON files and standard input are streamed: memory stays flat whatever their size; a line, file
or standard-input document over ${MAX_INPUT_BYTES / 1024 / 1024} MiB is reported as that input's error. Past 1,000
resources a progress line with the rate goes to standard error every 2 s, and the summary gives
the rate and the peak memory (RSS).
${PROJECT_OPTIONS_USAGE}

Exit codes: 0 valid, 1 invalid, 2 usage or I/O error.
`;

/** The --cda file for an attachment: the only one given, else the one its url ends with. */
function attachmentFile(files: Array<{ name: string; bytes: Uint8Array }>, url: string | undefined): Uint8Array | undefined {
  if (files.length === 1) return files[0]!.bytes;
  return url ? files.find((f) => url.endsWith(f.name))?.bytes : undefined;
}

export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        ...PROJECT_OPTIONS,
        profile: { type: 'string' },
        load: { type: 'string', multiple: true, default: [] },
        cda: { type: 'string', multiple: true, default: [] },
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string', default: 'error' },
        workers: { type: 'string', default: 'auto' },
        'follow-symlinks': { type: 'boolean', default: false },
        'allow-example-urls': { type: 'boolean', default: false },
        'security-checks': { type: 'boolean', default: false },
        'html-in-markdown': { type: 'string', default: 'warning' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('give at least one file, folder or -');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format is text or json');
  if (values['fail-on'] !== 'error' && values['fail-on'] !== 'warning') throw new UsageError('--fail-on is error or warning');
  if (!['ignore', 'warning', 'error'].includes(values['html-in-markdown'] as string)) throw new UsageError('--html-in-markdown is ignore, warning or error');
  if (values.workers !== 'auto' && !/^[1-9][0-9]?$/.test(values.workers as string)) throw new UsageError('--workers is auto or a number of threads (1 to 99)');

  // Files are listed (and missing ones reported) before anything is loaded; their content is read as it is validated.
  const files = new Map<string, string[]>();
  const followLinks = values['follow-symlinks'] as boolean;
  const skippedLinks: CollectedFiles['skippedLinks'] = [];
  let cdaFiles: Array<{ name: string; bytes: Uint8Array }>;
  try {
    cdaFiles = await Promise.all((values.cda as string[]).map(async (f) => ({ name: basename(f), bytes: new Uint8Array(await readFile(resolve(f))) })));
    for (const p of positionals) {
      if (p === '-') continue;
      const collected = await collectFiles(resolve(p), followLinks);
      files.set(p, collected.files);
      skippedLinks.push(...collected.skippedLinks);
    }
  } catch (e) {
    io.stderr.write(`mes-fhir validate: cannot read input: ${escapeControlCharacters((e as Error).message)}\n`);
    return EXIT_USAGE;
  }

  let validator: Validator;
  let extraLayers: ResourceLayer[];
  const validatorSettings: ValidatorSettings = {
    allowExampleUrls: values['allow-example-urls'] as boolean,
    securityChecks: values['security-checks'] as boolean,
    htmlInMarkdown: values['html-in-markdown'] as ValidatorSettings['htmlInMarkdown'],
  };
  try {
    const load = await collectLoadOption(values.load as string[], followLinks, skippedLinks);
    extraLayers = load.layers;
    const project = await loadProject(values as { project?: string; generated?: string }, io, extraLayers);
    let index = project.index;
    // XML definitions are read with the others, then loaded after the JSON ones of --load
    const xmlLayer = await xmlDefinitionsLayer(index, load.xmlFiles, (message) => io.stderr.write(`mes-fhir validate: ${message}\n`));
    if (xmlLayer) {
      extraLayers = [...extraLayers, xmlLayer];
      index = indexFolders([...extraLayers, ...projectLayers(project.packages, project.source.generatedDir)]);
    }
    validator = new Validator(index, ['generated', ...extraLayers.map((l) => l.label)], validatorSettings);
  } catch (e) {
    io.stderr.write(`mes-fhir validate: cannot load definitions: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (values.profile && !validator.resolveProfile(values.profile as string)) {
    io.stderr.write(`mes-fhir validate: profile ${values.profile} is not loaded\n`);
    return EXIT_USAGE;
  }

  const counts = { valid: 0, invalid: 0, errors: 0, warnings: 0 };
  const started = performance.now();
  const progress = progressLine(io, started);
  const options = {
    profile: values.profile as string | undefined,
    resolveAttachment: cdaFiles.length ? (a: { url?: string }) => attachmentFile(cdaFiles, a.url) : undefined,
  };
  const settings = { format: values.format as 'text' | 'json', failOn: values['fail-on'] as 'error' | 'warning' };
  let total = 0;
  for (const link of skippedLinks)
    io.stderr.write(`mes-fhir validate: skipped ${escapeControlCharacters(relative(process.cwd(), link.path) || link.path)}: ${link.why}\n`);
  const record = async (checked: Checked) => {
    if (checked.blank) {
      await write(io.stdout, checked.text);
      return;
    }
    total++;
    counts.errors += checked.errors;
    counts.warnings += checked.warnings;
    if (checked.failed) counts.invalid++;
    else counts.valid++;
    await write(io.stdout, checked.text);
    progress.tick(total);
  };
  const workerCount = await chooseWorkers(values.workers as string, files);
  let pool: ValidationPool | undefined;
  try {
    if (workerCount > 1) {
      pool = await ValidationPool.start(workerCount, {
        project: values.project as string | undefined,
        generated: values.generated as string | undefined,
        extraLayers,
        profile: options.profile,
        cdaFiles,
        settings,
        validatorSettings,
        env: { ...io.env },
      });
      // batches go out round robin and are printed in input order; at most 2 per worker wait
      const pending: Array<Promise<Checked[]>> = [];
      let batch: Input[] = [];
      const flush = async (limit: number) => {
        while (pending.length > limit) for (const checked of await pending.shift()!) await record(checked);
      };
      for await (const input of readInputs(positionals, files, process.stdin)) {
        batch.push(input);
        if (batch.length < 256) continue;
        pending.push(submitted(pool, batch));
        batch = [];
        await flush(pool.size * 2);
      }
      if (batch.length) pending.push(submitted(pool, batch));
      await flush(0);
    } else {
      for await (const input of readInputs(positionals, files, process.stdin)) await record(checkInput(validator, input, options, settings));
    }
  } catch (e) {
    io.stderr.write(`mes-fhir validate: stopped: ${escapeControlCharacters((e as Error).message)}\n`);
    return EXIT_USAGE;
  } finally {
    await pool?.close();
  }
  progress.done(total);
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? `, ${Math.round(total / seconds)}/s` : '';
  const rss = total >= 1000 ? `, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB` : '';
  const summary = `${total} resources: ${counts.valid} valid, ${counts.invalid} invalid; ${counts.errors} errors, ${counts.warnings} warnings (${seconds.toFixed(1)}s${total >= 1000 ? rate : ''}${rss})\n`;
  (values.format === 'json' ? io.stderr : io.stdout).write(summary);
  return counts.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
}

/**
 * A batch sent to the pool. When a worker dies, every batch still waiting fails at once: the one
 * awaited reports it, and the others must not crash the process as unhandled rejections.
 */
function submitted(pool: ValidationPool, batch: Input[]): Promise<Checked[]> {
  const promise = pool.submit(batch);
  promise.catch(() => undefined);
  return promise;
}

/** Writes, waiting when the stream asks to (a slow reader of millions of lines must not fill memory). */
async function write(out: CliIo['stdout'], text: string): Promise<void> {
  const stream = out as { write(text: string): unknown; once?: (event: string, fn: () => void) => unknown };
  if (stream.write(text) === false && typeof stream.once === 'function') await new Promise<void>((done) => stream.once!('drain', done));
}

/** A line on standard error every 2 s once past 1,000 resources: how many, and the rate. */
function progressLine(io: CliIo, started: number): { tick(n: number): void; done(n: number): void } {
  let last = started;
  let shown = false;
  return {
    tick(n) {
      if (n < 1000 || (n & 255) !== 0) return;
      const now = performance.now();
      if (now - last < 2000) return;
      last = now;
      shown = true;
      io.stderr.write(`validated ${n} resources (${Math.round(n / ((now - started) / 1000))}/s)\n`);
    },
    done(n) {
      if (shown) io.stderr.write(`validated ${n} resources\n`);
    },
  };
}

/** Worker threads for this input: as asked, or (auto) one per core up to 4 when the NDJSON input is over 20 MB. */
async function chooseWorkers(option: string, files: Map<string, string[]>): Promise<number> {
  if (option !== 'auto') return Number(option);
  let bytes = 0;
  for (const list of files.values()) for (const f of list) if (f.endsWith('.ndjson')) bytes += (await stat(f)).size;
  return bytes > 20 * 1024 * 1024 ? Math.min(availableParallelism(), 4) : 1;
}
