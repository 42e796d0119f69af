import { join } from 'node:path';
import { installPackages, readProjectPackages } from '@mes-fhir/fhir-packages';
import type { CodegenStep } from '../context.js';

/** Makes the project's dependency packages (and theirs) available in the FHIR package cache. */
export const packagesStep: CodegenStep = {
  name: 'packages',
  async run(ctx) {
    const { options, log } = ctx;
    const project = await readProjectPackages(join(options.projectDir, 'sushi-config.yaml'));
    const roots = [...project.dependencies, project.core];
    const result = await installPackages(roots, {
      cacheDir: options.cacheDir,
      mirror: options.mirror,
      env: options.env,
      logger: { info: log.detail, debug: log.detail, warn: log.warn },
    });
    ctx.packages = result;
    ctx.roots = roots;
    ctx.project = project;
    ctx.canonical = project.canonical;
    ctx.fhirVersion = project.fhirVersion;
    const fetched = result.packages.filter((p) => p.origin !== 'cache').length;
    const missing = result.warnings.length ? `, ${result.warnings.length} optional missing` : '';
    const from = fetched ? `, ${fetched} installed from ${result.offline ? 'mirror' : 'registry'}` : '';
    return `${result.packages.length} packages in ${result.cacheDir}${from}${missing}`;
  },
};
