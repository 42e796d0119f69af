import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CodegenStep } from '../context.js';
import { CodegenError } from '../errors.js';
import { generateTypeScript } from '../typescript/generate.js';
import { stagingFolderFor } from './write.js';

export const DEFAULT_TYPESCRIPT_DIR = join('packages', 'profiles', 'src', 'generated');

/** Generates types, zod schemas, invariants, the registry and code lists for @mes-fhir/profiles. */
export const typescriptStep: CodegenStep = {
  name: 'typescript',
  async run(ctx) {
    if (!ctx.definitions || !ctx.manifest) throw new CodegenError('typescript', 'the fhir step has not run');
    const generated = generateTypeScript(ctx.manifest, ctx.definitions.model, ctx.definitions.terminology);
    const target = resolve(ctx.options.typescriptDir ?? DEFAULT_TYPESCRIPT_DIR);
    await mkdir(resolve(target, '..'), { recursive: true });
    const staging = await stagingFolderFor(target);
    for (const [name, text] of generated.files) {
      await mkdir(dirname(join(staging, name)), { recursive: true });
      await writeFile(join(staging, name), text);
    }
    ctx.staged.push({ staging, target });
    for (const n of generated.notRunnable) ctx.log.warn(`invariant ${n.key} of ${n.profile} cannot run: ${n.reason}`);
    const skipped = generated.notRunnable.length ? `, ${generated.notRunnable.length} not runnable` : '';
    return `${ctx.manifest.profiles.length} profiles, ${generated.invariantCount} invariants compiled${skipped}`;
  },
};
