/**
 * The packages a command needs that most users of the CLI do not (the codegen pipeline brings SUSHI
 * and ts-morph; the sandbox brings Fastify and PGlite): optional peers of @mes-fhir/cli, loaded
 * when their command runs, with the line to install them when absent.
 */
import type { CliIo } from './io.js';

export async function loadOptionalPackage<T>(load: () => Promise<T>, name: string, command: string, io: CliIo): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // only the package itself missing: a dependency of it missing is a broken install, said as is
    if (err.code !== 'ERR_MODULE_NOT_FOUND' || !err.message.includes(`'${name}'`)) throw e;
    io.stderr.write(`mes-fhir ${command}: ${name} is not installed (npm install --save-dev ${name})\n`);
    return undefined;
  }
}
