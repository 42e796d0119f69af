import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodegenContext, CodegenStep } from '../context.js';
import { CodegenError } from '../errors.js';
import { buildManifest, type FhirJson } from '../manifest.js';

/** Conformance resources stay at the top of generated/fhir; everything else is an example. */
const CONFORMANCE_TYPES = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem', 'SearchParameter', 'CapabilityStatement', 'ConceptMap']);

/** Where the definitions land inside the output root. */
export const FHIR_OUTPUT_FOLDER = 'fhir';

/** Stable JSON text: two-space indentation and a final newline, keys in SUSHI's order. */
export const toJsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes SUSHI's resources and the manifest into a scratch folder next to `generated/fhir`, then
 * swaps it in, so a failed run never leaves a half-written output.
 */
export const writeStep: CodegenStep = {
  name: 'write',
  async run(ctx) {
    if (!ctx.sushiResources) throw new CodegenError('write', 'no SUSHI output to write');
    const resources = await readResources(ctx.sushiResources);
    const staging = await stageOutput(ctx, resources);
    await swapInto(staging, join(ctx.options.outDir, FHIR_OUTPUT_FOLDER));
    const examples = resources.filter((r) => !CONFORMANCE_TYPES.has(r.json.resourceType)).length;
    return `${resources.length - examples} definitions and ${examples} examples in ${join(ctx.options.outDir, FHIR_OUTPUT_FOLDER)}`;
  },
};

interface NamedResource {
  fileName: string;
  json: FhirJson;
}

async function readResources(dir: string): Promise<NamedResource[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (fileName) => ({ fileName, json: JSON.parse(await readFile(join(dir, fileName), 'utf8')) as FhirJson })),
  );
}

async function stageOutput(ctx: CodegenContext, resources: NamedResource[]): Promise<string> {
  await mkdir(ctx.options.outDir, { recursive: true });
  // Same parent folder as the target, so the final rename never crosses file systems.
  const staging = join(ctx.options.outDir, `.${FHIR_OUTPUT_FOLDER}-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'example'), { recursive: true });
  const files: Array<{ path: string; json: FhirJson }> = resources.map((r) => ({
    path: CONFORMANCE_TYPES.has(r.json.resourceType) ? r.fileName : `example/${r.fileName}`,
    json: r.json,
  }));
  for (const f of files) await writeFile(join(staging, f.path), toJsonText(f.json));
  const manifest = buildManifest({
    canonical: ctx.canonical,
    fhirVersion: ctx.fhirVersion,
    dependencies: (ctx.roots ?? []).map((r) => `${r.name}#${r.version}`),
    files,
  });
  await writeFile(join(staging, 'manifest.json'), toJsonText(manifest));
  return staging;
}

async function swapInto(staging: string, target: string): Promise<void> {
  const old = `${target}.previous-${process.pid}`;
  await rm(old, { recursive: true, force: true });
  let hadPrevious = true;
  try {
    await rename(target, old);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    hadPrevious = false;
  }
  try {
    await rename(staging, target);
  } catch (e) {
    if (hadPrevious) await rename(old, target); // put the previous output back
    throw e;
  }
  if (hadPrevious) await rm(old, { recursive: true, force: true });
}
