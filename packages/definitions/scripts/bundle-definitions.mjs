// npm pack hooks of @mes-fhir/definitions: the published package carries a copy of the
// repository's generated/fhir in fhir/ and of generated/nos in nos/ (made just before packing, removed just after, so the
// repository keeps one copy of the definitions).
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../../generated/fhir/', import.meta.url));
const target = fileURLToPath(new URL('../fhir/', import.meta.url));
// the NOS value sets (FHIR package mes-fhir.nos), a dependency of the definitions
const nosSource = fileURLToPath(new URL('../../../generated/nos/', import.meta.url));
const nosTarget = fileURLToPath(new URL('../nos/', import.meta.url));
const action = process.argv[2];

if (action === 'copy') {
  if (!existsSync(`${source}package.json`)) {
    console.error(`@mes-fhir/definitions: ${source} holds no FHIR package; run "npm run codegen" first`);
    process.exit(1);
  }
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  rmSync(nosTarget, { recursive: true, force: true });
  if (existsSync(`${nosSource}package.json`)) cpSync(nosSource, nosTarget, { recursive: true });
} else if (action === 'clean') {
  rmSync(target, { recursive: true, force: true });
  rmSync(nosTarget, { recursive: true, force: true });
} else {
  console.error('usage: bundle-definitions.mjs copy|clean');
  process.exit(2);
}
