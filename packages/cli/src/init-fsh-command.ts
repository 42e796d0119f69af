import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseSource, describeSource, readFolderManifest } from '@mes-fhir/fhir-packages';
import { installIntoCache } from './install-into-cache.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './io.js';

export const INIT_FSH_USAGE = `Usage: mes-fhir init-fsh <dir> [--canonical <url>] [--generated <dir>]

Starts a SUSHI project of your own on the Mon espace santé profiles: <dir>/sushi-config.yaml names
mes-fhir.profiles and every package it is built on (SUSHI does not load the dependencies of a
dependency, and an inherited ANS extension needs its package), and <dir>/input/fsh/profiles.fsh
holds a first profile derived from the MES weight. The packages are put into the FHIR package
cache (as "fhir-package --install" does), so that "npx sushi build <dir>" then works offline.

  --canonical <url>  the canonical of your profiles (default https://example.org/fhir)
  --generated <dir>  the definitions to build on (default: ./generated/fhir when it holds a
                     codegen output, else the definitions bundled in @mes-fhir/definitions)
`;

/** FHIR core comes with fhirVersion: SUSHI loads it without being told. */
const CORE = 'hl7.fhir.r4.core';

export async function initFshCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { canonical: { type: 'string', default: 'https://example.org/fhir' }, generated: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (positionals.length !== 1) throw new UsageError('name one folder for the new project');
  const canonical = values.canonical.replace(/\/$/, '');
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(canonical)) throw new UsageError(`--canonical must be an http(s) URL, not "${values.canonical}"`);
  const dir = resolve(positionals[0]!);
  try {
    const existing = await readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
    if (existing.length > 0) throw new Error(`${dir} is not empty: init-fsh starts a new project in a new or empty folder`);
    const source = chooseSource({ generatedDir: values.generated });
    const manifest = await readFolderManifest(source.generatedDir);
    const label = `${manifest.name}#${manifest.version}`;
    io.stdout.write(`${label} from ${describeSource(source)}\n`);
    // the cache first: a failed install leaves no half-made project behind
    await installIntoCache(source.generatedDir, label, io);
    await mkdir(join(dir, 'input', 'fsh'), { recursive: true });
    const files: Array<[string, string]> = [
      ['sushi-config.yaml', sushiConfig(canonical, manifest.name, manifest.version, manifest.dependencies ?? {})],
      [join('input', 'fsh', 'profiles.fsh'), FIRST_PROFILE],
    ];
    for (const [file, text] of files) {
      await writeFile(join(dir, file), text);
      io.stdout.write(`wrote ${join(dir, file)}\n`);
    }
    io.stdout.write(`next: npm install --save-dev fsh-sushi && npx sushi build ${positionals[0]}\n`);
    return EXIT_OK;
  } catch (e) {
    io.stderr.write(`mes-fhir init-fsh: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

/** The project's configuration: our package, then every package it depends on, at the versions it was built with. */
function sushiConfig(canonical: string, name: string, version: string, dependencies: Record<string, string>): string {
  const pinned = Object.entries(dependencies).filter(([dep]) => dep !== CORE);
  return [
    '# A SUSHI project on the Mon espace santé profiles of mes-fhir (started by `mes-fhir init-fsh`).',
    '# FSHOnly: SUSHI writes the FHIR resources only (no implementation guide).',
    `canonical: ${canonical}`,
    'status: draft',
    'version: 0.1.0',
    'fhirVersion: 4.0.1',
    'FSHOnly: true',
    '',
    `# ${name}, then each package it is built on: SUSHI loads only the packages named here, and a`,
    '# profile of yours that touches an inherited element (an ANS extension, a FrCore slice) needs',
    '# the package that defines it. Versions quoted, so that YAML keeps them as written.',
    'dependencies:',
    `  ${name}: "${version}"`,
    ...pinned.map(([dep, v]) => `  ${dep}: "${v}"`),
    '',
  ].join('\n');
}

const FIRST_PROFILE = `// A first profile of yours: the weight of the API Mesures as your app sends it, here always with
// the reason for the measure (an extension the MES profile inherits from the ANS one).
Alias: $MesBodyWeight = https://mes-fhir.org/fhir/StructureDefinition/mes-observation-bodyweight

Profile: MyBodyWeight
Parent: $MesBodyWeight
Id: my-body-weight
Title: "Poids (mon application)"
Description: "Le poids que mon application envoie à Mon espace santé, toujours avec le motif de la mesure."
* extension[MesReasonForMeasurement] 1..1
* extension[MesReasonForMeasurement].valueString 1..1
`;
