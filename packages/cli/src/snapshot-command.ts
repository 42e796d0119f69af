import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StructureModel, type StructureDefinitionJson } from '@mes-fhir/profile-model';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { loadProject, PROJECT_OPTIONS, PROJECT_OPTIONS_USAGE } from './project-options.js';

export const SNAPSHOT_USAGE = `Usage: mes-fhir snapshot <StructureDefinition.json> [--out <file>] [--load <file>]...

Generates the snapshot of a StructureDefinition that has only a differential, from its base (our
profiles, FrCore, the ANS guides, R4… or another file given with --load), as the validator does
for any profile it loads without one. Writes the StructureDefinition with its snapshot to
standard output, or to --out. Differential elements that cannot be placed are listed on standard
error.

  --out <file>    write here instead of standard output
  --load <file>   another StructureDefinition the base chain needs (repeatable)
${PROJECT_OPTIONS_USAGE}

Exit codes: 0 generated, 1 generated with elements that could not be placed, or no base, 2 usage
or I/O error.
`;

async function readDefinition(file: string): Promise<StructureDefinitionJson> {
  const json = JSON.parse(await readFile(resolve(file), 'utf8')) as StructureDefinitionJson;
  if (json?.resourceType !== 'StructureDefinition' || typeof json.url !== 'string') throw new Error(`${file} is not a StructureDefinition with a url`);
  return json;
}

export async function snapshotCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...PROJECT_OPTIONS, out: { type: 'string' }, load: { type: 'string', multiple: true, default: [] } },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give one StructureDefinition file');
  const file = positionals[0]!;
  let sd: StructureDefinitionJson;
  try {
    sd = await readDefinition(file);
    for (const extra of values.load as string[]) await readDefinition(extra);
  } catch (e) {
    io.stderr.write(`mes-fhir snapshot: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  // The file goes first, so that it wins over a loaded definition of the same url.
  const files = [file, ...(values.load as string[])].map((f) => resolve(f));
  const { index } = await loadProject(values as { project?: string; generated?: string }, io, [{ label: 'snapshot-input', dir: '', files }]);
  const model = new StructureModel(index);
  const { snapshot: _existing, ...withoutSnapshot } = sd;
  // A file that already has a snapshot is left as it is: the model would hand that snapshot back.
  const element = sd.snapshot?.element?.length ? undefined : model.snapshot(sd.url);
  const issues = sd.snapshot?.element?.length ? ['the StructureDefinition already has a snapshot: nothing generated'] : model.generationIssues(sd.url);
  if (!element?.length) {
    io.stderr.write(`mes-fhir snapshot: ${issues.join('\n') || `no snapshot for ${sd.url}`}\n`);
    return EXIT_FAILURE;
  }
  const out = `${JSON.stringify({ ...withoutSnapshot, snapshot: { element } }, null, 2)}\n`;
  if (values.out) await writeFile(resolve(values.out), out);
  else io.stdout.write(out);
  for (const issue of issues) io.stderr.write(`mes-fhir snapshot: ${issue}\n`);
  io.stderr.write(`${sd.url}: ${element.length} elements${issues.length ? `, ${issues.length} differential elements not placed` : ''}\n`);
  return issues.length ? EXIT_FAILURE : EXIT_OK;
}
