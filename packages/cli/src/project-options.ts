import { resolve } from 'node:path';
import { loadProjectIndex, type ProjectIndex } from '@mes-fhir/fhir-packages';
import type { CliIo } from './io.js';

/** Options every command that reads definitions accepts. */
export const PROJECT_OPTIONS = {
  project: { type: 'string', default: 'fsh' },
  generated: { type: 'string', default: 'generated/fhir' },
} as const;

export const PROJECT_OPTIONS_USAGE = `  --project <dir>    SUSHI project whose dependencies are loaded (default: fsh)
  --generated <dir>  generated definitions loaded first (default: generated/fhir)`;

/** Loads the project's package set (installing missing packages as codegen does). */
export function loadProject(values: { project: string; generated: string }, io: CliIo): Promise<ProjectIndex> {
  return loadProjectIndex({ projectDir: resolve(values.project), generatedDir: resolve(values.generated), env: io.env });
}
