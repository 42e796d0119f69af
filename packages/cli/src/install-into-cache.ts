import { installFolderPackage } from '@mes-fhir/fhir-packages';
import type { CliIo } from './io.js';

/**
 * Puts the FHIR package in `dir` (mes-fhir.profiles) and the packages it depends on into the FHIR
 * package cache, where SUSHI and the Java validator load them by name#version; says what it did.
 */
export async function installIntoCache(dir: string, label: string, io: CliIo): Promise<void> {
  const started = performance.now();
  const installed = await installFolderPackage(dir, { env: io.env, logger: { warn: (m) => io.stderr.write(`warning: ${m}\n`) } });
  const deps = installed.dependencies.packages;
  const fetched = deps.filter((p) => p.origin !== 'cache').length;
  io.stdout.write(
    `installed ${label} into ${installed.cachedAt}, with ${deps.length + installed.bundled.length} dependency packages` +
      `${fetched ? ` (${fetched} installed from ${installed.dependencies.offline ? 'mirror' : 'registry'})` : ''}` +
      ` in ${((performance.now() - started) / 1000).toFixed(1)}s\n`,
  );
}
