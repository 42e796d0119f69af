import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Validator } from '@mes-fhir/validator';
import type { SandboxConfig } from '@mes-fhir/sandbox';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './io.js';
import { loadOptionalPackage } from './optional-package.js';
import { loadProject, PROJECT_OPTIONS, PROJECT_OPTIONS_USAGE } from './project-options.js';
import { SANDBOX_REPORT_USAGE, sandboxReportCommand } from './sandbox-report-command.js';

export const SANDBOX_USAGE = `Usage: mes-fhir sandbox [--port 8080] [--host 127.0.0.1] [--database <folder|postgres://…>]
                       [--config <sandbox.json>] [--seed <folder>] [--token-lifetime <seconds>]
                       [--validation-workers <n>] [--record]
       mes-fhir sandbox report [--database <…>] [--app <clientId>] [--format html|json|junit] [--out <file>]

A local test server that answers like Mon espace santé (APIs Mesures, Agenda, Documents), for
developing an app before MES's connection tests. Simplified, and not MES: see the guide
"Sandbox" of the implementation guide for what differs.

  --port <n>            port to listen on (default 8080; 0 picks a free one)
  --host <addr>         address to listen on (default 127.0.0.1)
  --database <target>   a folder for the embedded PostgreSQL (PGlite; default ./.mes-fhir-sandbox,
                        kept across restarts), or postgres://user:pass@host/db for a server
  --config <file>       the registered test apps and fixed pairings:
                        {"apps": [{"clientId", "clientSecret", "oid", "name"?}],
                         "pairings": [{"clientId", "patient", "idPe"}]}
                        (default: <seed>/sandbox.json if present, else the app demo-app)
  --seed <folder>       FHIR files loaded at start, each once per database: feeding and
                        provide-document Bundles, Appointments, DocumentReferences, sent by the
                        app whose OID names their patient
  --token-lifetime <s>  lifetime of the access tokens (default 3600)
  --validation-workers <n>
                        threads that validate request bodies, each with its own copy of the
                        definitions (~190 MB): a costly request then never delays the answers
                        to other clients; bodies over 1 MiB never take the last free thread,
                        and their requests are handled there whole (default: one per core but
                        one, 2 to 4). A request whose validation runs past 30 s is answered 503
  --record              keep each app's requests and the answers (tokens and secrets masked,
                        document bytes as SHA-256) to grade them against MES's test scenarios:
                        <url>/recette/<clientId> (the app's id and secret), or "sandbox report"
${PROJECT_OPTIONS_USAGE}

Stops on Ctrl+C (SIGINT) or SIGTERM. Exit codes: 0 stopped, 1 could not start, 2 usage error.

${SANDBOX_REPORT_USAGE}`;

function integerOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return Number(value);
}

/** `until` (tests) replaces waiting for SIGINT/SIGTERM. */
export async function sandboxCommand(args: string[], io: CliIo, until?: Promise<unknown>): Promise<number> {
  if (args[0] === 'report') return sandboxReportCommand(args.slice(1), io);
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        ...PROJECT_OPTIONS,
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        database: { type: 'string' },
        config: { type: 'string' },
        seed: { type: 'string' },
        'token-lifetime': { type: 'string' },
        'validation-workers': { type: 'string' },
        record: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const sandboxPackage = await loadOptionalPackage(() => import('@mes-fhir/sandbox'), '@mes-fhir/sandbox', 'sandbox', io);
  if (!sandboxPackage) return EXIT_FAILURE;
  const { CONFIG_FILE, DEFAULT_VALIDATION_WORKERS, readConfig, startSandbox } = sandboxPackage;
  const port = integerOption(values.port, 'port', 8080, 0, 65535);
  const tokenLifetime = integerOption(values['token-lifetime'], 'token-lifetime', 3600, 1, 31 * 24 * 3600);
  const validationWorkers = integerOption(values['validation-workers'], 'validation-workers', DEFAULT_VALIDATION_WORKERS, 1, 64);
  const database = values.database ?? resolve('.mes-fhir-sandbox');
  const seed = values.seed ? resolve(values.seed) : undefined;
  const configFile = values.config ? resolve(values.config) : seed && existsSync(join(seed, CONFIG_FILE)) ? join(seed, CONFIG_FILE) : undefined;

  const fail = (message: string) => {
    io.stderr.write(`mes-fhir sandbox: ${message}\n`);
    return EXIT_FAILURE;
  };
  let config: SandboxConfig | undefined;
  try {
    config = configFile ? readConfig(configFile) : undefined;
  } catch (e) {
    return fail((e as Error).message);
  }

  let validator: Validator;
  try {
    const { index } = await loadProject(values, io);
    validator = new Validator(index);
  } catch (e) {
    return fail(`cannot load the definitions: ${(e as Error).message}`);
  }

  let sandbox;
  try {
    sandbox = await startSandbox({
      validator,
      // the threads load what the command loaded (the packages are in the cache by now)
      validationWorkers: { count: validationWorkers, load: { projectDir: values.project, generatedDir: values.generated, env: { ...io.env } } },
      database,
      config,
      seed,
      port,
      host: values.host,
      tokenLifetime,
      record: values.record,
      onSeed: (file) => io.stderr.write(`seed: ${file} loaded\n`),
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'EADDRINUSE') return fail(`port ${port} is already in use: choose another with --port`);
    return fail(err.message);
  }

  const u = sandbox.url;
  const first = sandbox.apps[0]!;
  io.stdout.write(
    [
      `mes-fhir sandbox listening on ${u} (FHIR R4, application/fhir+json)`,
      `database: ${sandbox.db.description}`,
      ...sandbox.apps.map((app) => `app ${app.clientId}: secret ${app.clientSecret}, OID ${app.oid}${app.name ? ` (${app.name})` : ''}`),
      `token:   curl -s ${u}/oauth/token -d grant_type=client_credentials -d client_id=${first.clientId} -d client_secret=${first.clientSecret}`,
      `pairing: curl -s ${u}/pairing -H "Authorization: Bearer <token>" -H "Content-Type: application/fhir+json" -d '{"patient": "alice"}'`,
      ...(values.record ? [`recording: each app's report of MES's test scenarios at ${u}/recette/<clientId> (its id and secret)`] : []),
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
  await (until ?? stopSignal());
  await sandbox.close();
  io.stderr.write('mes-fhir sandbox: stopped\n');
  return EXIT_OK;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
