import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { openPackage, refToString } from '@mes-fhir/fhir-packages';
import { constraintProfiles, diffProfiles } from '@mes-fhir/profile-model';
import { Validator } from '@mes-fhir/validator';
import type { CodegenContext, CodegenStep } from '../context.js';
import { profileNamed, type Manifest } from '../manifest.js';
import { CodegenError } from '../errors.js';
import { readBuilderExamples } from '../docs/builder-examples.js';
import type { Changelog } from '../docs/site-input.js';
import { generateSite } from '../docs/site.js';
import { profilesIn, stagingFolderFor } from './write.js';

/** The profiles against the changelog baseline of fhir-package.yaml, when it names one. */
async function changelogOf(ctx: CodegenContext): Promise<Changelog | undefined> {
  const config = ctx.packageConfig?.changelog;
  if (!config || !ctx.fhirDir) return undefined;
  let baseline;
  try {
    baseline = await openPackage(resolve(ctx.options.projectDir, config.baseline));
  } catch (e) {
    throw new CodegenError('docs', `changelog baseline: ${(e as Error).message}`);
  }
  try {
    const version = (JSON.parse(await readFile(join(baseline.dir, 'package.json'), 'utf8')) as { version?: string }).version;
    return {
      since: config.since,
      baseline: config.baseline,
      version,
      diffs: diffProfiles(constraintProfiles(baseline.resources()), profilesIn(ctx.fhirDir)),
    };
  } finally {
    await baseline.dispose();
  }
}

/**
 * Resources of our profiles that appear only inside an example Bundle (FSH inline instances, such as
 * the DocumentReference of a document lot): profile url → the entries, with the example they are from.
 */
function excerptsOf(
  manifest: Manifest,
  examples: Map<string, Record<string, unknown>>,
  instances: Map<string, string>,
): Map<string, Array<{ from: string; resource: Record<string, unknown> }>> {
  const excerpts = new Map<string, Array<{ from: string; resource: Record<string, unknown> }>>();
  for (const e of manifest.examples) {
    const entries = (examples.get(e.file)?.entry ?? []) as Array<{ resource?: Record<string, unknown> }>;
    for (const entry of Array.isArray(entries) ? entries : []) {
      const named = typeof entry.resource?.id === 'string' ? instances.get(entry.resource.id) : undefined;
      const profile = named ? profileNamed(manifest.profiles, named) : undefined;
      if (profile && entry.resource)
        (excerpts.get(profile.url) ?? excerpts.set(profile.url, []).get(profile.url)!).push({ from: e.file, resource: entry.resource });
    }
  }
  return excerpts;
}

export const DEFAULT_DOCS_DIR = join('docs-site', 'docs', 'reference');
/** The hand-written builders of @mes-fhir/profiles, one file per MES API. */
export const DEFAULT_BUILDERS_DIR = join('packages', 'profiles', 'src', 'builders');

/** Writes the reference pages of the Docusaurus site from the staged definitions. */
export const docsStep: CodegenStep = {
  name: 'docs',
  async run(ctx) {
    if (!ctx.packages || !ctx.fhirDir || !ctx.manifest || !ctx.definitions) throw new CodegenError('docs', 'the fhir step has not run');
    const { index, model, terminology } = ctx.definitions;
    const manifest = ctx.manifest;

    const examples = new Map<string, Record<string, unknown>>();
    for (const e of manifest.examples) examples.set(e.file, JSON.parse(await readFile(join(ctx.fhirDir, e.file), 'utf8')) as Record<string, unknown>);

    // An example belongs to the profiles it claims (our canonical or the MES one), else to the one
    // its FSH InstanceOf names, else to those of its type it validates against without error.
    const validator = new Validator(index);
    const exampleProfiles = new Map<string, string[]>();
    for (const e of manifest.examples) {
      const claimed = manifest.profiles.filter((p) => e.claims.includes(p.url) || (p.mesCanonical && e.claims.includes(p.mesCanonical))).map((p) => p.url);
      const fitting = claimed.length
        ? claimed
        : e.instanceOf
          ? [e.instanceOf]
          : manifest.profiles
              .filter((p) => p.type === e.resourceType)
              .filter((p) => !validator.validateToIssues(examples.get(e.file), { profile: p.url }).some((i) => i.severity === 'error'))
              .map((p) => p.url);
      exampleProfiles.set(e.file, fitting);
    }
    const exampleExcerpts = excerptsOf(manifest, examples, ctx.fsh?.instanceOf ?? new Map());

    const packageOf = new Map(ctx.packages.packages.map((p) => [refToString(p), p]));
    const officialPage = (url: string): string | undefined => {
      const entry = index.findEntry(url);
      const pkg = entry ? packageOf.get(entry.source) : undefined;
      if (!entry?.id || !pkg) return undefined;
      if (pkg.name === 'hl7.fhir.r4.core') return `https://hl7.org/fhir/R4/${entry.id.toLowerCase()}.html`;
      return pkg.manifest.canonical ? `${pkg.manifest.canonical.replace(/\/$/, '')}/StructureDefinition-${entry.id}.html` : undefined;
    };

    // the packages the site's downloads plugin packs: ours and those it ships with (mes-fhir.nos)
    const packages = [
      ...(ctx.packageConfig && ctx.project?.version ? [{ name: ctx.packageConfig.name, version: ctx.project.version }] : []),
      ...(ctx.nos ? [{ name: ctx.nos.name, version: ctx.nos.version }] : []),
    ];
    // the packages our profiles are built on (those sushi-config.yaml names, and FHIR core), for the versions page
    const dependencies = ctx.packages.packages
      .filter((p) => p.required)
      .map((p) => ({ name: p.name, version: p.version, title: p.manifest.title, canonical: p.manifest.canonical }));
    const pages = generateSite({
      manifest,
      model,
      terminology,
      examples,
      exampleProfiles,
      exampleExcerpts,
      packages,
      dependencies,
      fhirVersion: ctx.fhirVersion,
      builders: readBuilderExamples(resolve(ctx.options.buildersDir ?? DEFAULT_BUILDERS_DIR)),
      officialPage,
      changelog: await changelogOf(ctx),
    });
    const target = resolve(ctx.options.docsDir ?? DEFAULT_DOCS_DIR);
    await mkdir(dirname(target), { recursive: true });
    const staging = await stagingFolderFor(target);
    for (const [path, content] of [...pages].sort(([a], [b]) => a.localeCompare(b))) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    ctx.staged.push({ staging, target });
    const profilePages = [...pages.keys()].filter((p) => p.startsWith('profils/') && p.endsWith('.mdx')).length;
    const mdx = [...pages.keys()].filter((p) => p.endsWith('.mdx')).length;
    return `${mdx} pages (${profilePages} profiles)`;
  },
};
