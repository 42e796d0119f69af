import { codegenCommand, CODEGEN_USAGE } from './codegen-command.js';
import { DIFF_USAGE, diffCommand } from './diff-command.js';
import { FHIR_PACKAGE_USAGE, fhirPackageCommand } from './fhir-package-command.js';
import { INIT_FSH_USAGE, initFshCommand } from './init-fsh-command.js';
import { EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { VALIDATE_USAGE, validateCommand } from './validate-command.js';
import { SANDBOX_USAGE, sandboxCommand } from './sandbox-command.js';
import { SNAPSHOT_USAGE, snapshotCommand } from './snapshot-command.js';
import { CONVERT_USAGE, convertCommand } from './convert-command.js';
import { EXPAND_USAGE, expandCommand, VALIDATE_CODE_USAGE, validateCodeCommand } from './terminology-commands.js';
import { readFileSync } from 'node:fs';

const COMMANDS: Record<string, { run: (args: string[], io: CliIo) => Promise<number>; usage: string; summary: string }> = {
  codegen: { run: codegenCommand, usage: CODEGEN_USAGE, summary: 'install FHIR packages, compile FSH with SUSHI, write generated/' },
  validate: { run: validateCommand, usage: VALIDATE_USAGE, summary: 'validate resources against their profiles (OperationOutcome)' },
  expand: { run: expandCommand, usage: EXPAND_USAGE, summary: 'expand a value set offline' },
  'validate-code': { run: validateCodeCommand, usage: VALIDATE_CODE_USAGE, summary: 'check a code against a value set or code system' },
  diff: { run: diffCommand, usage: DIFF_USAGE, summary: 'what changed between two versions of profiles, and whom it breaks' },
  convert: { run: convertCommand, usage: CONVERT_USAGE, summary: 'convert a resource between FHIR JSON and FHIR XML' },
  snapshot: { run: snapshotCommand, usage: SNAPSHOT_USAGE, summary: 'generate the snapshot of a StructureDefinition from its differential' },
  sandbox: {
    run: (args, io) => sandboxCommand(args, io),
    usage: SANDBOX_USAGE,
    summary: 'a local test server that answers like Mon espace santé (Mesures, Agenda, Documents)',
  },
  'fhir-package': {
    run: fhirPackageCommand,
    usage: FHIR_PACKAGE_USAGE,
    summary: 'our profiles as a FHIR package: install into the FHIR cache, or write a .tgz',
  },
  'init-fsh': { run: initFshCommand, usage: INIT_FSH_USAGE, summary: 'start a SUSHI project of your own on the MES profiles' },
};

const USAGE = `Usage: mes-fhir <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}

Run "mes-fhir <command> --help" for the options of a command, "mes-fhir --version" for the version.
`;

/** The version of this package (@mes-fhir/cli), as its package.json says. */
function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Entry point of the `mes-fhir` binary; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr).write(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`mes-fhir ${cliVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`mes-fhir: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`mes-fhir ${name}: ${e.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
