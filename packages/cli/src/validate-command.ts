import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResourceLayer } from '@mes-fhir/fhir-packages';
import { Validator, isValid, type OperationOutcome } from '@mes-fhir/validator';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { loadProject, PROJECT_OPTIONS, PROJECT_OPTIONS_USAGE } from './project-options.js';

export const VALIDATE_USAGE = `Usage: mes-fhir validate <file|folder|->... [--profile <url>] [--load <file|folder>]...
                        [--cda <file>]... [--format text|json] [--fail-on error|warning]

Validates FHIR R4 resources offline (JSON, NDJSON or XML) against their base definition, the
profiles they claim in meta.profile (an MES canonical resolves to our profile that requires it)
and --profile. Folders are read recursively (*.json, *.ndjson, *.xml); "-" reads standard input
(XML when it starts with "<"). XML issues are located as for JSON (Observation.valueQuantity).

  --profile <url>    also validate against this profile
  --load <path>      add StructureDefinitions, ValueSets and CodeSystems from JSON files (repeatable)
  --cda <file>       the CDA R2 document of a DocumentReference whose attachment carries no data
                     (attachment.url): checked as if inline (size, hash, header agreement). One
                     --cda serves every such attachment; with several, each goes to the
                     attachment whose url ends with its file name (repeatable)
  --format text      issues per resource and a summary (default)
  --format json      one OperationOutcome per resource, as NDJSON, in input order
  --fail-on <level>  exit 1 on errors (default) or also on warnings
${PROJECT_OPTIONS_USAGE}

Exit codes: 0 valid, 1 invalid, 2 usage or I/O error.
`;

interface Input {
  label: string;
  /** The parsed resource, or the reason it could not be parsed. */
  resource?: unknown;
  parseError?: string;
  /** FHIR XML, read once the definitions are loaded. */
  xml?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON (one resource) or NDJSON (one per line). */
function parseText(text: string, label: string): Input[] {
  try {
    return [{ label, resource: JSON.parse(text) }];
  } catch (wholeError) {
    const lines = text.split('\n').filter((l) => l.trim());
    if (lines.length <= 1) return [{ label, parseError: `not valid JSON: ${(wholeError as Error).message}` }];
    return lines.map((line, i) => {
      try {
        return { label: `${label}:${i + 1}`, resource: JSON.parse(line) };
      } catch (e) {
        return { label: `${label}:${i + 1}`, parseError: `not valid JSON: ${(e as Error).message}` };
      }
    });
  }
}

async function collectFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await collectFiles(full)));
    else if (/\.(ndjson|json|xml)$/.test(entry.name)) out.push(full);
  }
  return out;
}

async function loadLayers(paths: string[]): Promise<ResourceLayer[]> {
  const layers: ResourceLayer[] = [];
  for (const [i, p] of paths.entries()) {
    const files = (await collectFiles(resolve(p))).filter((f) => f.endsWith('.json'));
    layers.push({ label: `load-${i + 1}`, dir: resolve(p), files });
  }
  return layers;
}

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

  const inputs: Input[] = [];
  let cdaFiles: Array<{ name: string; bytes: Uint8Array }>;
  try {
    cdaFiles = await Promise.all((values.cda as string[]).map(async (f) => ({ name: basename(f), bytes: new Uint8Array(await readFile(resolve(f))) })));
    for (const p of positionals) {
      if (p === '-') {
        const text = await readStdin();
        inputs.push(...(text.trimStart().startsWith('<') ? [{ label: 'stdin', xml: text }] : parseText(text, 'stdin')));
      } else {
        for (const file of await collectFiles(resolve(p))) {
          const label = relative(process.cwd(), file) || file;
          const text = await readFile(file, 'utf8');
          inputs.push(...(file.endsWith('.xml') ? [{ label, xml: text }] : parseText(text, label)));
        }
      }
    }
  } catch (e) {
    io.stderr.write(`mes-fhir validate: cannot read input: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }

  let validator: Validator;
  try {
    const extraLayers = await loadLayers(values.load as string[]);
    const { index } = await loadProject(values as { project?: string; generated?: string }, io, extraLayers);
    validator = new Validator(index, ['generated', ...extraLayers.map((l) => l.label)]);
  } catch (e) {
    io.stderr.write(`mes-fhir validate: cannot load definitions: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (values.profile && !validator.resolveProfile(values.profile as string)) {
    io.stderr.write(`mes-fhir validate: profile ${values.profile} is not loaded\n`);
    return EXIT_USAGE;
  }

  const counts = { valid: 0, invalid: 0, errors: 0, warnings: 0 };
  const showProgress = inputs.length >= 1000;
  const started = performance.now();
  inputs.forEach((input, i) => {
    const options = { profile: values.profile as string | undefined, resolveAttachment: cdaFiles.length ? (a: { url?: string }) => attachmentFile(cdaFiles, a.url) : undefined };
    const outcome: OperationOutcome = input.parseError
      ? { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure', details: { text: input.parseError } }] }
      : input.xml !== undefined
        ? validator.validateXml(input.xml, options)
        : validator.validate(input.resource, options);
    const errors = outcome.issue.filter((x) => x.severity === 'error' || x.severity === 'fatal').length;
    const warnings = outcome.issue.filter((x) => x.severity === 'warning').length;
    counts.errors += errors;
    counts.warnings += warnings;
    const failed = !isValid(outcome) || (values['fail-on'] === 'warning' && warnings > 0);
    if (failed) counts.invalid++;
    else counts.valid++;
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(outcome)}\n`);
    else {
      io.stdout.write(`${failed ? 'INVALID' : 'valid  '} ${input.label} (${errors} errors, ${warnings} warnings)\n`);
      for (const issue of outcome.issue) {
        if (issue.severity === 'information') continue;
        io.stdout.write(`  ${issue.severity.padEnd(7)} ${(issue.expression?.[0] ?? '').padEnd(40)} ${issue.details.text}\n`);
      }
    }
    if (showProgress && (i + 1) % 1000 === 0) io.stderr.write(`validated ${i + 1}/${inputs.length}\n`);
  });
  const seconds = (performance.now() - started) / 1000;
  const summary = `${inputs.length} resources: ${counts.valid} valid, ${counts.invalid} invalid; ${counts.errors} errors, ${counts.warnings} warnings (${seconds.toFixed(1)}s)\n`;
  (values.format === 'json' ? io.stderr : io.stdout).write(summary);
  return counts.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
}
