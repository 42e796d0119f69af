import { parseArgs } from 'node:util';
import { Terminology } from '@mes-fhir/terminology';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './io.js';
import { loadProject, PROJECT_OPTIONS, PROJECT_OPTIONS_USAGE } from './project-options.js';

export const EXPAND_USAGE = `Usage: mes-fhir expand <valueset-url> [--format text|json] [--project <dir>] [--generated <dir>]

Expands a value set offline from the loaded packages. Text: one "system code display" line per
concept. JSON: the ValueSet with its expansion. Exit 1 when it cannot be expanded offline.

${PROJECT_OPTIONS_USAGE}
`;

export const VALIDATE_CODE_USAGE = `Usage: mes-fhir validate-code --system <url> --code <code> [--display <text>] [--valueset <url>]

Checks a code against a value set (when given) or its code system, offline. Prints
"valid: …", "invalid: …" or "unknown: …" (a code system that is not available offline).
Exit 0 valid or unknown, 1 invalid.

${PROJECT_OPTIONS_USAGE}
`;

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(args: string[], options: Options, positionals: boolean) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function expandCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { ...PROJECT_OPTIONS, format: { type: 'string', default: 'text' } }, true);
  const url = positionals[0];
  if (!url || positionals.length > 1) throw new UsageError('give exactly one value set url');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format is text or json');
  const terminology = new Terminology((await loadProject(values as { project?: string; generated?: string }, io)).index);
  const expansion = terminology.expand(url);
  if (!expansion.ok) {
    io.stderr.write(`cannot expand ${url}: ${expansion.reason}: ${expansion.message}\n`);
    return EXIT_FAILURE;
  }
  if (values.format === 'json') {
    const vs = terminology.valueSet(url);
    // an R4 ValueSet our validator accepts: an expansion has its timestamp (1..1, the time it was made)
    const output = {
      resourceType: 'ValueSet',
      url: vs?.url ?? url,
      ...(vs?.version ? { version: vs.version } : {}),
      status: typeof vs?.status === 'string' ? vs.status : 'active',
      expansion: {
        timestamp: new Date().toISOString(),
        total: expansion.concepts.length,
        contains: expansion.concepts.map((c) => ({
          system: c.system,
          ...(c.version ? { version: c.version } : {}),
          ...(c.inactive ? { inactive: true } : {}),
          code: c.code,
          ...(c.display ? { display: c.display } : {}),
        })),
      },
    };
    io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    for (const c of expansion.concepts) io.stdout.write(`${c.system}\t${c.code}${c.display ? `\t${c.display}` : ''}\n`);
    io.stderr.write(`${expansion.concepts.length} concepts\n`);
  }
  return EXIT_OK;
}

export async function validateCodeCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    { ...PROJECT_OPTIONS, system: { type: 'string' }, code: { type: 'string' }, display: { type: 'string' }, valueset: { type: 'string' } },
    false,
  );
  if (!values.system || !values.code) throw new UsageError('--system and --code are required');
  const terminology = new Terminology((await loadProject(values as { project?: string; generated?: string }, io)).index);
  const out = terminology.validateCode({
    system: values.system as string,
    code: values.code as string,
    display: values.display as string | undefined,
    valueSet: values.valueset as string | undefined,
  });
  io.stdout.write(`${out.result}: ${out.message}\n`);
  return out.result === 'invalid' ? EXIT_FAILURE : EXIT_OK;
}
