import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodegenContext, CodegenLogger, CodegenOptions, CodegenStep } from './context.js';
import { CodegenError } from './errors.js';
import { nosStep } from './steps/nos.js';
import { packagesStep } from './steps/packages.js';
import { sushiStep } from './steps/sushi.js';
import { docsStep } from './steps/docs.js';
import { typescriptStep } from './steps/typescript.js';
import { fhirStep, swapStep } from './steps/write.js';

/** The steps of `mes-fhir codegen`, in order. Only the last one touches the output folders. */
export const DEFAULT_STEPS: CodegenStep[] = [packagesStep, nosStep, sushiStep, fhirStep, typescriptStep, docsStep, swapStep];

const silentLogger: CodegenLogger = { step() {}, warn() {}, detail() {} };

export interface CodegenRun {
  steps: Array<{ name: string; summary: string; millis: number }>;
}

/**
 * Runs the steps in order with a scratch folder shared between them. A failing step stops the run
 * with a {@link CodegenError} naming it; the output folder is only replaced by the write step.
 */
export async function runCodegen(options: CodegenOptions, steps: CodegenStep[] = DEFAULT_STEPS): Promise<CodegenRun> {
  const log = options.log ?? silentLogger;
  const workDir = await mkdtemp(join(tmpdir(), 'mes-fhir-codegen-'));
  const ctx: CodegenContext = { options, log, workDir, staged: [] };
  const run: CodegenRun = { steps: [] };
  try {
    for (const step of steps) {
      const started = performance.now();
      let summary: string;
      try {
        summary = await step.run(ctx);
      } catch (e) {
        if (e instanceof CodegenError) throw e;
        throw new CodegenError(step.name, (e as Error).message ?? String(e));
      }
      const millis = performance.now() - started;
      log.step(step.name, summary, millis);
      run.steps.push({ name: step.name, summary, millis });
    }
    return run;
  } finally {
    await rm(workDir, { recursive: true, force: true });
    // Outputs staged by a run that failed before the swap are dropped; the old ones stay.
    for (const { staging } of ctx.staged) await rm(staging, { recursive: true, force: true });
  }
}
