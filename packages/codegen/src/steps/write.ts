import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { StructureModel, constraintProfiles, countsText, diffProfiles, requiredMetaProfile, type StructureDefinitionJson } from '@mes-fhir/profile-model';
import { Terminology } from '@mes-fhir/terminology';
import type { CodegenContext, CodegenStep } from '../context.js';
import { CodegenError } from '../errors.js';
import { buildDotIndex, buildFhirPackageJson, readFhirPackageConfig } from '../fhir-package.js';
import { buildManifest, type FhirJson, type Manifest } from '../manifest.js';

/** Conformance resources stay at the top of generated/fhir; everything else is an example. */
const CONFORMANCE_TYPES = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem', 'SearchParameter', 'CapabilityStatement', 'ConceptMap']);

/** Beside sushi-config.yaml: the name and description of the FHIR package made of the output. */
export const FHIR_PACKAGE_CONFIG = 'fhir-package.yaml';

/** Where the definitions land inside the output root. */
export const FHIR_OUTPUT_FOLDER = 'fhir';

/** Stable JSON text: two-space indentation and a final newline, keys in SUSHI's order. */
export const toJsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Stages SUSHI's resources and the manifest next to `generated/fhir`; the swap step puts every
 * staged output in place at the end, so a failed run never leaves a half-written output.
 */
export const fhirStep: CodegenStep = {
  name: 'fhir',
  async run(ctx) {
    if (!ctx.sushiResources) throw new CodegenError('fhir', 'no SUSHI output to write');
    const resources = await readResources(ctx.sushiResources);
    const staging = await stageOutput(ctx, resources);
    ctx.fhirDir = staging;
    ctx.manifest = JSON.parse(await readFile(join(staging, 'manifest.json'), 'utf8')) as Manifest;
    ctx.staged.push({ staging, target: join(ctx.options.outDir, FHIR_OUTPUT_FOLDER) });
    const examples = resources.filter((r) => !CONFORMANCE_TYPES.has(r.json.resourceType)).length;
    return `${resources.length - examples} definitions and ${examples} examples staged`;
  },
};

/** The profiles (constraint StructureDefinitions) of a folder of definitions. */
export function profilesIn(dir: string): StructureDefinitionJson[] {
  const index = indexFolders([{ label: dir, dir }]);
  return constraintProfiles(index.list('StructureDefinition').map((e) => index.read(e)));
}

/**
 * What the run changes in the profiles, against the output it replaces: one line per changed
 * profile with its counts (see `mes-fhir diff` for the details).
 */
async function profileChanges(ctx: CodegenContext): Promise<string[]> {
  const previous = join(ctx.options.outDir, FHIR_OUTPUT_FOLDER);
  if (!ctx.fhirDir || !existsSync(previous)) return [];
  const diffs = diffProfiles(profilesIn(previous), profilesIn(ctx.fhirDir));
  if (diffs.length === 0) return [];
  return [`${diffs.length} profiles changed:`, ...diffs.map((d) => `  ${d.url.split('/').pop()}: ${countsText(d.counts)}`)];
}

/** Replaces each output folder with its staged version, only once every step has succeeded. */
export const swapStep: CodegenStep = {
  name: 'swap',
  async run(ctx) {
    const changes = await profileChanges(ctx);
    const targets: string[] = [];
    while (ctx.staged.length) {
      const { staging, target } = ctx.staged.shift()!;
      await swapInto(staging, target);
      targets.push(target);
    }
    return [`wrote ${targets.join(', ')}`, ...changes].join('\n');
  },
};

/** A scratch folder beside `target` (same file system, so the final rename is atomic). */
export async function stagingFolderFor(target: string): Promise<string> {
  const staging = join(dirname(target), `.${basename(target)}-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return staging;
}

interface NamedResource {
  fileName: string;
  json: FhirJson;
}

async function readResources(dir: string): Promise<NamedResource[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (fileName) => ({ fileName, json: JSON.parse(await readFile(join(dir, fileName), 'utf8')) as FhirJson })));
}

async function stageOutput(ctx: CodegenContext, resources: NamedResource[]): Promise<string> {
  const staging = await stagingFolderFor(join(ctx.options.outDir, FHIR_OUTPUT_FOLDER));
  await mkdir(join(staging, 'example'), { recursive: true });
  const files: Array<{ path: string; json: FhirJson }> = resources.map((r) => ({
    path: CONFORMANCE_TYPES.has(r.json.resourceType) ? r.fileName : `example/${r.fileName}`,
    json: r.json,
  }));
  for (const f of files) await writeFile(join(staging, f.path), toJsonText(f.json));
  const nos = ctx.nos;
  await writeFhirPackageFiles(ctx, staging, resources, nos);
  const index = indexFolders(ctx.packages ? projectLayers(ctx.packages, staging, nos ? [nos] : []) : [{ label: 'generated', dir: staging }]);
  const model = new StructureModel(index);
  ctx.definitions = { index, model, terminology: new Terminology(index) };
  const manifest = buildManifest({
    requiredMetaProfile: (url) => requiredMetaProfile(model, url),
    instanceOf: (id) => ctx.fsh?.instanceOf.get(id),
    apiOf: (id) => ctx.fsh?.apiOf.get(id),
    canonical: ctx.canonical,
    fhirVersion: ctx.fhirVersion,
    dependencies: [...(nos ? [nos] : []), ...(ctx.roots ?? [])].map((r) => `${r.name}#${r.version}`),
    files,
  });
  await writeFile(join(staging, 'manifest.json'), toJsonText(manifest));
  return staging;
}

/**
 * Makes the staged folder the `package/` folder of a FHIR NPM package: package.json (identity and
 * dependencies from sushi-config.yaml, the NOS package first) and an `.index.json` in the folder and
 * in `example/`.
 */

async function writeFhirPackageFiles(
  ctx: CodegenContext,
  staging: string,
  resources: NamedResource[],
  nos: { name: string; version: string } | undefined,
): Promise<void> {
  const project = ctx.project;
  if (!project) throw new CodegenError('fhir', 'the project configuration was not read');
  if (!project.version)
    throw new CodegenError(
      'fhir',
      `${join(ctx.options.projectDir, 'sushi-config.yaml')}: "version" is required (it versions the FHIR package of the profiles)`,
    );
  let identity;
  try {
    identity = await readFhirPackageConfig(join(ctx.options.projectDir, FHIR_PACKAGE_CONFIG));
  } catch (e) {
    throw new CodegenError('fhir', (e as Error).message);
  }
  ctx.packageConfig = identity;
  const { changelog: _changelog, ...packageFields } = identity;
  const packageJson = buildFhirPackageJson({
    ...packageFields,
    version: project.version,
    canonical: project.canonical,
    fhirVersion: project.fhirVersion,
    // the NOS value sets first: loaded right after our own definitions (see projectLayers)
    dependencies: [...(nos ? [{ name: nos.name, version: nos.version }] : []), ...(ctx.roots ?? [])],
  });
  await writeFile(join(staging, 'package.json'), toJsonText(packageJson));
  const conformance = resources.filter((r) => CONFORMANCE_TYPES.has(r.json.resourceType));
  const examples = resources.filter((r) => !CONFORMANCE_TYPES.has(r.json.resourceType));
  await writeFile(join(staging, '.index.json'), toJsonText(buildDotIndex(conformance)));
  await writeFile(join(staging, 'example', '.index.json'), toJsonText(buildDotIndex(examples)));
}

export async function swapInto(staging: string, target: string): Promise<void> {
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
