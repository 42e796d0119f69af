import { parseArgs } from 'node:util';
import { openPackage, type OpenedPackage } from '@mes-fhir/fhir-packages';
import { constraintProfiles, countsText, diffProfiles, isBreaking, type Impact } from '@mes-fhir/profile-model';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';

export const DIFF_USAGE = `Usage: mes-fhir diff <old> <new> [--format text|json] [--all]

Compares the profiles of two versions, element by element of their snapshots: elements added or
removed, cardinality, types, target profiles, fixed and pattern values, bindings, constraints,
slicing, must-support. Each change is classified:
  senders     breaking for senders: an instance valid before may now be refused
  receivers   breaking for receivers: a receiver may now get what it did not expect
  compatible  neither

Each side is a folder (a FHIR package folder such as generated/fhir), a package tarball (.tgz) or
name#version (from the FHIR package cache; installed from FHIR_PACKAGE_MIRROR or the registry).

  --format text   one line per changed profile, then its breaking changes (default)
  --format json   the full diff
  --all           text: also list the compatible changes

Exit codes: 0 nothing breaking, 1 something breaking, 2 usage or I/O error.
`;

const LABEL: Record<Impact, string> = { senders: 'breaking for senders', receivers: 'breaking for receivers', compatible: 'compatible' };

export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { format: { type: 'string', default: 'text' }, all: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new UsageError('give the old and the new version');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format is text or json');
  const opened: OpenedPackage[] = [];
  try {
    for (const spec of positionals) opened.push(await openPackage(spec, { env: io.env }));
  } catch (e) {
    io.stderr.write(`mes-fhir diff: ${(e as Error).message}\n`);
    await Promise.all(opened.map((p) => p.dispose()));
    return EXIT_USAGE;
  }
  try {
    const diffs = diffProfiles(constraintProfiles(opened[0]!.resources()), constraintProfiles(opened[1]!.resources()));
    if (values.format === 'json') io.stdout.write(`${JSON.stringify(diffs, null, 2)}\n`);
    else {
      for (const d of diffs) {
        io.stdout.write(`${d.url}: ${countsText(d.counts)}\n`);
        for (const c of d.changes) {
          if (c.impact === 'compatible' && !values.all) continue;
          const change =
            c.before !== undefined && c.after !== undefined ? `${c.before} → ${c.after}` : c.after !== undefined ? `+ ${c.after}` : `- ${c.before ?? ''}`;
          io.stdout.write(`  [${c.impact}] ${c.element} ${c.kind}: ${change}\n`);
        }
      }
      const total = diffs.reduce((n, d) => ({ senders: n.senders + d.counts.senders, receivers: n.receivers + d.counts.receivers }), {
        senders: 0,
        receivers: 0,
      });
      io.stdout.write(`${diffs.length} profiles changed: ${total.senders} ${LABEL.senders}, ${total.receivers} ${LABEL.receivers}\n`);
    }
    return isBreaking(diffs) ? EXIT_FAILURE : EXIT_OK;
  } finally {
    await Promise.all(opened.map((p) => p.dispose()));
  }
}
