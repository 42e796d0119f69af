import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { CodegenLogger } from '@mes-fhir/codegen';
import { loadOptionalPackage } from './optional-package.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './io.js';

export const CODEGEN_USAGE = `Usage: mes-fhir codegen [--project <dir>] [--out <dir>] [--nos-svs <dir>] [--quiet | --verbose]

Installs the FHIR packages the FSH project depends on, imports the NOS value sets (IHE SVS) into
the FHIR package mes-fhir.nos, compiles the project with SUSHI (snapshots included), generates the
TypeScript of @mes-fhir/profiles and the reference pages of the site, then replaces <out>/fhir,
<out>/nos, the TypeScript folder and the pages. Nothing is replaced when a step fails.

  --project <dir>  SUSHI project folder (default: fsh)
  --out <dir>      output root (default: generated)
  --ts-out <dir>   generated TypeScript of @mes-fhir/profiles (default: packages/profiles/src/generated)
  --docs-out <dir> generated reference pages of the site (default: docs-site/docs/reference)
  --nos-svs <dir>  folder of NOS value sets in IHE SVS, JDV_*.xml (default: NOS_SVS_DIR; without
                   one, <out>/nos is kept as it is)
  --quiet          print errors only
  --verbose        also print package and SUSHI details

Environment: FHIR_PACKAGE_MIRROR (folder of <name>-<version>.tgz; no network),
FHIR_PACKAGE_CACHE (default ~/.fhir/packages), FPL_REGISTRY (registry URL), NOS_SVS_DIR.
`;

export async function codegenCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        project: { type: 'string', default: 'fsh' },
        out: { type: 'string', default: 'generated' },
        'ts-out': { type: 'string', default: 'packages/profiles/src/generated' },
        'docs-out': { type: 'string', default: 'docs-site/docs/reference' },
        'nos-svs': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose exclude each other');

  const codegen = await loadOptionalPackage(() => import('@mes-fhir/codegen'), '@mes-fhir/codegen', 'codegen', io);
  if (!codegen) return EXIT_FAILURE;
  const { CodegenError, DEFAULT_STEPS, runCodegen } = codegen;
  const totalSteps = DEFAULT_STEPS.length;
  let stepNumber = 0;
  const log: CodegenLogger = {
    step: (name, summary, millis) => {
      stepNumber++;
      if (!values.quiet) io.stdout.write(`[${stepNumber}/${totalSteps}] ${name.padEnd(9)} ${(millis / 1000).toFixed(1).padStart(5)}s  ${summary}\n`);
    },
    warn: (message) => {
      if (!values.quiet) io.stderr.write(`warning: ${message}\n`);
    },
    detail: (message) => {
      if (values.verbose) io.stdout.write(`${message}\n`);
    },
  };
  const started = performance.now();
  try {
    await runCodegen({
      projectDir: resolve(values.project),
      outDir: resolve(values.out),
      typescriptDir: resolve(values['ts-out']),
      docsDir: resolve(values['docs-out']),
      ...(values['nos-svs'] ? { nosSvsDir: resolve(values['nos-svs']) } : {}),
      env: io.env,
      log,
    });
  } catch (e) {
    if (e instanceof CodegenError) {
      io.stderr.write(`codegen failed at step "${e.step}": ${e.message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr.write(`codegen failed: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_FAILURE;
  }
  if (!values.quiet) io.stdout.write(`codegen done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  return EXIT_OK;
}
