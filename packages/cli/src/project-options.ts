import { loadProjectIndex, type PackageLogger, type ProjectIndex, type ResourceLayer } from '@mes-fhir/fhir-packages';
import type { CliIo } from './io.js';

/** Options every command that reads definitions accepts. */
export const PROJECT_OPTIONS = {
  project: { type: 'string' },
  generated: { type: 'string' },
} as const;

export const PROJECT_OPTIONS_USAGE = `  --generated <dir>  definitions in the FHIR package layout, loaded with the packages their
                     package.json names (default: ./generated/fhir in the layout of the mes-fhir
                     repository, with fsh/sushi-config.yaml beside it, else the definitions
                     bundled in @mes-fhir/definitions)
  --project <dir>    load the dependencies of this SUSHI project instead (with --generated,
                     default generated/fhir)

The FHIR packages are installed on first use into FHIR_PACKAGE_CACHE (default ~/.fhir/packages)
from FHIR_PACKAGE_MIRROR (a folder of <name>-<version>.tgz) or the FHIR package registry.`;

/**
 * Prints one progress line on standard error while FHIR packages are installed into the cache
 * (first use only; a warm cache prints nothing).
 */
function installProgress(io: CliIo): { logger: PackageLogger; finish(): void } {
  let started: number | undefined;
  return {
    logger: {
      installing(ref, from) {
        if (started === undefined) {
          started = performance.now();
          io.stderr.write(`installing FHIR packages from ${from} into the FHIR package cache:`);
        }
        io.stderr.write(` ${ref.name}#${ref.version}`);
      },
    },
    finish() {
      if (started !== undefined) io.stderr.write(` (${((performance.now() - started) / 1000).toFixed(1)}s)\n`);
    },
  };
}

/** Loads the definitions and their package set for a command, installing missing packages. */
export async function loadProject(values: { project?: string; generated?: string }, io: CliIo, extraLayers: ResourceLayer[] = []): Promise<ProjectIndex> {
  const progress = installProgress(io);
  try {
    return await loadProjectIndex({ projectDir: values.project, generatedDir: values.generated, extraLayers, env: io.env, logger: progress.logger });
  } finally {
    progress.finish();
  }
}
