import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseSource, describeSource, packFolderWithBundled, readFolderManifest } from '@mes-fhir/fhir-packages';
import { installIntoCache } from './install-into-cache.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './io.js';

export const FHIR_PACKAGE_USAGE = `Usage: mes-fhir fhir-package [--install] [--tgz <file>] [--generated <dir>]

The mes-fhir profiles, extensions, value sets, code systems and examples as a FHIR NPM package
(mes-fhir.profiles), for other FHIR tools: SUSHI projects that derive from our profiles, the HL7
Java validator, IG Publisher. Without options, prints its name, version and folder.

  --install          put it, and the packages it depends on, into the FHIR package cache
                     (FHIR_PACKAGE_CACHE, default ~/.fhir/packages), where SUSHI and the Java
                     validator load it by name#version; mes-fhir.nos, the NOS value sets it
                     depends on, comes from beside it or from @mes-fhir/definitions
  --tgz <file>       write it as a package tarball (archive root package/), e.g. for a folder
                     named by FHIR_PACKAGE_MIRROR or for "validator_cli.jar -ig <file>", and
                     mes-fhir.nos as <name>-<version>.tgz beside it
  --generated <dir>  the definitions to package (default: ./generated/fhir when it holds a
                     codegen output, else the definitions bundled in @mes-fhir/definitions)
`;

export async function fhirPackageCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { install: { type: 'boolean', default: false }, tgz: { type: 'string' }, generated: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    const source = chooseSource({ generatedDir: values.generated });
    const manifest = await readFolderManifest(source.generatedDir);
    const label = `${manifest.name}#${manifest.version}`;
    io.stdout.write(`${label} from ${describeSource(source)}\n`);
    if (values.tgz) {
      const file = resolve(values.tgz);
      // and, beside it, the packages it depends on that no registry has
      for (const written of await packFolderWithBundled(source.generatedDir, file)) io.stdout.write(`wrote ${written}\n`);
    }
    if (values.install) await installIntoCache(source.generatedDir, label, io);
    return EXIT_OK;
  } catch (e) {
    io.stderr.write(`mes-fhir fhir-package: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
}
