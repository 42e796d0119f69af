import type { InstallResult, PackageRef, ProjectPackages, ResourceIndex } from '@mes-fhir/fhir-packages';
import type { StructureModel } from '@mes-fhir/profile-model';
import type { Terminology } from '@mes-fhir/terminology';
import type { SushiDiagnostic } from './errors.js';
import type { Manifest } from './manifest.js';

export interface CodegenOptions {
  /** The SUSHI project folder (holds sushi-config.yaml and input/fsh). */
  projectDir: string;
  /** The output root; definitions go to `<outDir>/fhir`. */
  outDir: string;
  /** FHIR package cache (default: FHIR_PACKAGE_CACHE or ~/.fhir/packages). */
  cacheDir?: string;
  /** Tarball mirror (default: FHIR_PACKAGE_MIRROR). */
  mirror?: string;
  /** Where the generated TypeScript of @mes-fhir/profiles goes (default: packages/profiles/src/generated). */
  typescriptDir?: string;
  /** Where the generated reference pages of the site go (default: docs-site/docs/reference). */
  docsDir?: string;
  /** The builders of @mes-fhir/profiles, whose `@example` the reference pages show (default: packages/profiles/src/builders). */
  buildersDir?: string;
  /** Folder of NOS value sets in IHE SVS (default: NOS_SVS_DIR); without one, `<outDir>/nos` is kept as committed. */
  nosSvsDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: CodegenLogger;
}

export interface CodegenLogger {
  /** One line per finished step. */
  step(name: string, summary: string, millis: number): void;
  warn(message: string): void;
  /** Detail shown only with --verbose. */
  detail(message: string): void;
}

/** State passed from step to step. Each step reads what earlier steps filled in. */
export interface FshSources {
  /** Each FSH instance's id → its `InstanceOf` as written (a name, an id or a url). */
  instanceOf: Map<string, string>;
  /** Each profile's id → its MES API: the folder under `input/fsh` that defines it. */
  apiOf: Map<string, string>;
}

export interface CodegenContext {
  options: CodegenOptions;
  log: CodegenLogger;
  /** Scratch folder removed at the end of the run. */
  workDir: string;
  packages?: InstallResult;
  roots?: PackageRef[];
  /** What sushi-config.yaml says of the project (identity, canonical, FHIR version, dependencies). */
  project?: ProjectPackages;
  canonical?: string;
  fhirVersion?: string;
  /** SUSHI's output (`fsh-generated/resources`). */
  sushiResources?: string;
  sushiWarnings?: SushiDiagnostic[];
  /** What the FSH says and the JSON output does not keep (read by SUSHI's importer). */
  fsh?: FshSources;
  /** fsh/fhir-package.yaml: the FHIR package made of the output, and the changelog baseline. */
  packageConfig?: import('./fhir-package.js').FhirPackageConfig;
  /** The FHIR package mes-fhir.nos: staged by the nos step, or the committed one it kept. */
  nos?: { name: string; version: string; dir: string };
  /** The staged generated/fhir folder (complete once the fhir step ran). */
  fhirDir?: string;
  manifest?: Manifest;
  /**
   * The loaded package set with the staged definitions, read once by the fhir step and shared by
   * the steps after it (model and terminology keep their caches across steps).
   */
  definitions?: { index: ResourceIndex; model: StructureModel; terminology: Terminology };
  /** Outputs written to scratch folders, swapped into place by the last step. */
  staged: Array<{ staging: string; target: string }>;
}

export interface CodegenStep {
  name: string;
  run(ctx: CodegenContext): Promise<string>;
}
