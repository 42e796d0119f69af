import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ResourceIndex, indexFolders, projectLayers } from '@mes-fhir/fhir-packages';
import { SystemIdentity } from '@mes-fhir/terminology';
import type { CodegenStep } from '../context.js';
import { CodegenError } from '../errors.js';
import { buildDotIndex } from '../fhir-package.js';
import { NOS_CODE_SYSTEMS } from '../nos/code-systems.js';
import { buildNosPackage, codeSystemNamer } from '../nos/nos-package.js';
import { readSvs, SvsError, type SvsValueSet } from '../nos/svs.js';
import { stagingFolderFor, toJsonText } from './write.js';

/** The environment variable naming the folder of NOS SVS files (like FHIR_PACKAGE_MIRROR for packages). */
export const NOS_SVS_ENV = 'NOS_SVS_DIR';

/** Where the NOS package lands inside the output root, beside `fhir/`. */
export const NOS_OUTPUT_FOLDER = 'nos';

/**
 * Imports the NOS value sets (IHE SVS files, `JDV_*.xml`) into the FHIR package `mes-fhir.nos`,
 * staged beside `generated/fhir`. Without a folder of SVS files, the committed package is kept.
 */
export const nosStep: CodegenStep = {
  name: 'nos',
  async run(ctx) {
    const { options } = ctx;
    const target = join(options.outDir, NOS_OUTPUT_FOLDER);
    const from = options.nosSvsDir ?? (options.env ?? process.env)[NOS_SVS_ENV];
    if (!from) {
      if (!existsSync(join(target, 'package.json'))) return `no NOS value sets (${NOS_SVS_ENV} not set, no ${target})`;
      const { name, version } = JSON.parse(await readFile(join(target, 'package.json'), 'utf8')) as { name: string; version: string };
      ctx.nos = { name, version, dir: target };
      const index = JSON.parse(await readFile(join(target, '.index.json'), 'utf8')) as { files: Array<{ resourceType: string }> };
      return `kept ${target} (${index.files.filter((f) => f.resourceType === 'ValueSet').length} value sets; set ${NOS_SVS_ENV} to rebuild it)`;
    }
    const dir = resolve(from);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /^JDV_.*\.xml$/i.test(n)).sort();
    } catch (e) {
      throw new CodegenError('nos', `${dir}: cannot list the NOS SVS folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (names.length === 0) throw new CodegenError('nos', `${dir} holds no JDV_*.xml file (NOS value sets in IHE SVS)`);
    const valueSets: SvsValueSet[] = [];
    for (const name of names) {
      try {
        valueSets.push(readSvs(await readFile(join(dir, name), 'utf8'), name));
      } catch (e) {
        throw new CodegenError('nos', e instanceof SvsError ? e.message : `${name}: ${(e as Error).message}`);
      }
    }
    const nos = buildNosPackage(
      valueSets,
      codeSystemNamer(NOS_CODE_SYSTEMS, ctx.packages ? loadedCanonicals(indexFolders(projectLayers(ctx.packages))) : () => undefined),
    );
    for (const why of nos.skipped) ctx.log.warn(`nos: ${why}`);
    const staging = await stagingFolderFor(target);
    for (const f of nos.files) await writeFile(join(staging, f.fileName), toJsonText(f.json));
    await writeFile(join(staging, 'package.json'), toJsonText(nos.packageJson));
    await writeFile(join(staging, '.index.json'), toJsonText(buildDotIndex(nos.files)));
    ctx.nos = { name: nos.packageJson.name, version: nos.packageJson.version, dir: staging };
    ctx.staged.push({ staging, target });
    const concepts = valueSets.reduce((n, v) => n + v.concepts.length, 0) - nos.skipped.length;
    const codeSystems = nos.files.filter((f) => f.json.resourceType === 'CodeSystem').length;
    return `${valueSets.length} value sets (${concepts} concepts) and ${codeSystems} code systems from ${dir} staged as ${nos.packageJson.name}#${nos.packageJson.version}`;
  },
};

/**
 * OID → canonical of the code systems the loaded packages name: a NamingSystem's preferred uri (as
 * the terminology reads them), else a CodeSystem's `identifier` (HL7 terminology's v3 code systems
 * carry their OIDs). The CodeSystem scan reads every loaded CodeSystem (~29 MB of JSON), which is
 * why it is done here, once per import, and not by the terminology at validation time.
 */
function loadedCanonicals(index: ResourceIndex): (oid: string) => string | undefined {
  const identity = new SystemIdentity(index);
  const byIdentifier = new Map<string, string>();
  for (const entry of index.list('CodeSystem')) {
    const cs = index.read<{ url?: string; identifier?: Array<{ value?: string }> }>(entry);
    const oid = Array.isArray(cs.identifier) ? cs.identifier.find((i) => typeof i?.value === 'string' && i.value.startsWith('urn:oid:'))?.value : undefined;
    // the first package that names an OID wins, as for every other duplicate
    if (oid && typeof cs.url === 'string' && !byIdentifier.has(oid.slice('urn:oid:'.length))) byIdentifier.set(oid.slice('urn:oid:'.length), cs.url);
  }
  return (oid) => identity.canonicalOf(oid) ?? byIdentifier.get(oid);
}
