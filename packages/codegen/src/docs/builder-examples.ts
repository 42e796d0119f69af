/**
 * The builders of @mes-fhir/profiles as the reference pages show them: read with ts-morph from
 * their source (written by hand, one file per MES API), each exported function's `@example` under
 * the profile type it returns. A builder added with an example appears on its profile's page.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Project } from 'ts-morph';

export interface BuilderExample {
  /** The function's name. */
  builder: string;
  /** The module a vendor imports it from (`@mes-fhir/profiles/<api>`). */
  module: string;
  /** The call, as its `@example` tag writes it. */
  example: string;
}

/** Profile type name → the examples of the builders that return it, in source order. */
export function readBuilderExamples(dir: string, packageName = '@mes-fhir/profiles'): Map<string, BuilderExample[]> {
  const out = new Map<string, BuilderExample[]>();
  if (!existsSync(dir)) return out;
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const source = project.addSourceFileAtPath(join(dir, file));
    const module = `${packageName}/${basename(file, '.ts')}`;
    for (const fn of source.getFunctions()) {
      const name = fn.getName();
      if (!name || !fn.isExported()) continue;
      // the profile type: the declared return type, awaited for an async builder
      const returned = /^(?:Promise<)?([A-Za-z_$][\w$]*)>?$/.exec(fn.getReturnTypeNode()?.getText() ?? '')?.[1];
      const example = fn
        .getJsDocs()
        .flatMap((doc) => doc.getTags())
        .find((tag) => tag.getTagName() === 'example')
        ?.getCommentText()
        ?.trim();
      if (!returned || !example) continue;
      out.set(returned, [...(out.get(returned) ?? []), { builder: name, module, example }]);
    }
  }
  return out;
}
