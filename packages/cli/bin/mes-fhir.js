#!/usr/bin/env node
// The `mes-fhir` binary. It is committed (not built) so that npm links it at install time, even
// in a fresh clone where dist/ is only written later by `npm run build`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('mes-fhir: the CLI is not built yet (no dist/bin.js); run "npm run build" in the mes-fhir repository\n');
  process.exit(2);
}
await import(built.href);
