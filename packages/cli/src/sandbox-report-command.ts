import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Validator } from '@mes-fhir/validator';
import type { SandboxApp } from '@mes-fhir/sandbox';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './io.js';
import { loadOptionalPackage } from './optional-package.js';
import { loadProject, PROJECT_OPTIONS } from './project-options.js';

export const SANDBOX_REPORT_USAGE = `Usage: mes-fhir sandbox report [--database <folder|postgres://…>] [--app <clientId>]
                              [--format html|json|junit] [--out <file>] [--config <sandbox.json>]

What a sandbox started with --record saw an app do, judged against MES's test scenarios
(pairing, each measure, documents ITI-105/65/67/68, appointments, 422 corrected, paging,
consent withdrawn): each proven, failed (with the exchanges that show why) or not exercised.
Stop the sandbox first when its database is a folder (or open <sandbox>/recette/<clientId>).

  --database <target>   the sandbox's database (default ./.mes-fhir-sandbox)
  --app <clientId>      the app to grade (default: the only app with recorded exchanges)
  --format <f>          html (a self-contained page in French, default), json, or junit
                        (one testcase per scenario: failures and skipped, for a CI to gate on)
  --out <file>          write there (default: standard output)
  --config <file>       the sandbox's configuration, for the app's name and OID
  (--generated and --project as for "mes-fhir sandbox": the definitions give the measures)

Exit codes: 0 report written, 1 no database or nothing recorded, 2 usage error.
`;

/** `mes-fhir sandbox report`: the report of one app, from the exchanges its sandbox recorded. */
export async function sandboxReportCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        ...PROJECT_OPTIONS,
        database: { type: 'string' },
        app: { type: 'string' },
        format: { type: 'string', default: 'html' },
        out: { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!['html', 'json', 'junit'].includes(values.format)) throw new UsageError('--format must be html, json or junit');
  const fail = (message: string) => {
    io.stderr.write(`mes-fhir sandbox report: ${message}\n`);
    return EXIT_FAILURE;
  };
  const sandbox = await loadOptionalPackage(() => import('@mes-fhir/sandbox'), '@mes-fhir/sandbox', 'sandbox report', io);
  if (!sandbox) return EXIT_FAILURE;
  const database = values.database ?? resolve('.mes-fhir-sandbox');
  const isServer = /^postgres(ql)?:\/\//.test(database);
  if (!isServer && !existsSync(join(database, 'PG_VERSION'))) return fail(`no sandbox database in ${database} (give --database)`);

  let apps: SandboxApp[] = [];
  try {
    if (values.config) apps = sandbox.readConfig(resolve(values.config)).apps;
  } catch (e) {
    return fail((e as Error).message);
  }
  let validator: Validator;
  try {
    validator = new Validator((await loadProject(values, io)).index);
  } catch (e) {
    return fail(`cannot load the definitions: ${(e as Error).message}`);
  }

  let db;
  try {
    db = await sandbox.openDatabase(database);
  } catch (e) {
    return fail((e as Error).message);
  }
  try {
    const recorded = await sandbox.recordedApps(db);
    const clientId = values.app ?? (recorded.length === 1 ? recorded[0] : undefined);
    if (!clientId)
      return fail(
        recorded.length
          ? `exchanges of several apps are recorded (${recorded.join(', ')}): choose one with --app`
          : 'nothing is recorded in this database: start the sandbox with --record, then run the app against it',
      );
    if (!recorded.includes(clientId)) return fail(`nothing is recorded for the app ${clientId}${recorded.length ? ` (recorded: ${recorded.join(', ')})` : ''}`);
    const report = await sandbox.appReport(db, validator, apps.find((a) => a.clientId === clientId) ?? { clientId });
    const text =
      values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : values.format === 'junit' ? sandbox.reportJunit(report) : sandbox.reportHtml(report);
    if (values.out) {
      // written whole or not at all: a CI never reads half a report
      const out = resolve(values.out);
      const partial = join(dirname(out), `.${process.pid}.report.tmp`);
      writeFileSync(partial, text);
      renameSync(partial, out);
    } else io.stdout.write(text);
    const s = report.summary;
    io.stderr.write(
      `${clientId}: ${s.passed} prouvé(s), ${s.failed} en échec, ${s['not-exercised']} non exercé(s) sur ${s.total} scénarios (${report.recorded.exchanges} échanges)\n`,
    );
    return EXIT_OK;
  } finally {
    await db.close();
  }
}
