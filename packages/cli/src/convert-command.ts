import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StructureModel } from '@mes-fhir/profile-model';
import { FhirXml } from '@mes-fhir/xml';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { loadProject, PROJECT_OPTIONS, PROJECT_OPTIONS_USAGE } from './project-options.js';

export const CONVERT_USAGE = `Usage: mes-fhir convert <file|-> [--to json|xml] [--out <file>]

Converts a FHIR R4 resource between JSON and XML, as the FHIR specification maps them, with the
loaded definitions (element order, arrays, primitive types, narrative XHTML kept as is). The
input's format is recognised from its content; the output is the other one unless --to says.

  --to json|xml   the output format (default: the other one)
  --out <file>    write here instead of standard output
${PROJECT_OPTIONS_USAGE}

Exit codes: 0 converted, 1 input that is not a FHIR resource, 2 usage or I/O error.
`;

export async function convertCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...PROJECT_OPTIONS, to: { type: 'string' }, out: { type: 'string' } }, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give one file, or - for standard input');
  if (values.to !== undefined && values.to !== 'json' && values.to !== 'xml') throw new UsageError('--to is json or xml');
  let text: string;
  try {
    text = positionals[0] === '-' ? await readStdin() : await readFile(resolve(positionals[0]!), 'utf8');
  } catch (e) {
    io.stderr.write(`mes-fhir convert: cannot read input: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  const fromXml = text.trimStart().startsWith('<');
  const to = values.to ?? (fromXml ? 'json' : 'xml');
  const { index } = await loadProject(values as { project?: string; generated?: string }, io);
  const xml = new FhirXml(new StructureModel(index));
  let resource: unknown;
  if (fromXml) {
    const read = xml.fromXml(text);
    if (!read.ok) {
      io.stderr.write(`mes-fhir convert: ${read.error}\n`);
      return EXIT_FAILURE;
    }
    resource = read.resource;
  } else {
    try {
      resource = JSON.parse(text);
    } catch (e) {
      io.stderr.write(`mes-fhir convert: not valid JSON: ${(e as Error).message}\n`);
      return EXIT_FAILURE;
    }
  }
  let out: string;
  try {
    out = to === 'json' ? `${JSON.stringify(resource, null, 2)}\n` : xml.toXml(resource);
  } catch (e) {
    io.stderr.write(`mes-fhir convert: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
  if (values.out) await writeFile(resolve(values.out), out);
  else io.stdout.write(out);
  return EXIT_OK;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
