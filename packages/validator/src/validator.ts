/**
 * The validator as its users see it: load the definitions, validate JSON or XML, get an
 * OperationOutcome. The work is the walker's (`walker.ts`), over the compiled plans (`plans/`),
 * with the rules (`rules/`, `resources/`) and the FHIRPath invariant engine (`invariants/`).
 */
import { toOperationOutcome, type Issue, type OperationOutcome } from '@mes-fhir/core';
import { ResourceIndex, loadProjectIndex, type ProjectIndexOptions } from '@mes-fhir/fhir-packages';
import { StructureModel } from '@mes-fhir/profile-model';
import { Terminology } from '@mes-fhir/terminology';
import { FhirXml } from '@mes-fhir/xml';
import { ValidationContext } from './context.js';
import { ProfilePlans } from './plans/profile-plans.js';
import type { AttachmentResolver } from './resources/document-reference.js';
import { PrimitiveChecks } from './rules/primitives.js';
import { Walker } from './walker.js';

export interface ValidateOptions {
  /** Validate against this profile too (canonical; an MES canonical resolves to our profile). */
  profile?: string;
  /**
   * The bytes of a DocumentReference attachment that carries no data (its document is elsewhere,
   * e.g. a CDA file given beside it), so that it is checked as if inline.
   */
  resolveAttachment?: AttachmentResolver;
}

/** The HL7 validator's switches that change verdicts, with its defaults. */
export interface ValidatorSettings {
  /**
   * Accept URLs on hosts reserved for examples (example.org, example.com…) where a real URL is
   * expected: a url, a canonical, a Coding's system (default false, as the reference's
   * `-allow-example-urls`). Examples of an implementation guide are validated with it set.
   */
  allowExampleUrls?: boolean;
  /**
   * Refuse any string or markdown holding what looks like an HTML tag (`<script>`, `<b>`): text
   * that becomes markup somewhere could run in a reader's browser (default false, as the
   * reference's `-security-checks`).
   */
  securityChecks?: boolean;
  /** An HTML-like tag in markdown: `warning` (default, as the reference), `error`, or `ignore`. */
  htmlInMarkdown?: 'ignore' | 'warning' | 'error';
}

/** Options of `Validator.load`: the project's package set, plus `extraLayers` of definitions, and the settings. */
export type ValidatorLoadOptions = ProjectIndexOptions & ValidatorSettings;

/**
 * Validates FHIR R4 JSON against StructureDefinition snapshots: structure, cardinality, fixed and
 * pattern values, slicing, extensions, bindings, FHIRPath invariants and references. Each profile
 * is compiled on first use and kept. `validate` never throws: any input gets an OperationOutcome.
 */
export class Validator {
  readonly model: StructureModel;
  readonly terminology: Terminology;
  private readonly plans: ProfilePlans;
  private readonly walker: Walker;
  private xmlConverter?: FhirXml;

  constructor(
    readonly index: ResourceIndex,
    /** Labels of the layers whose profiles may be required by an MES canonical (our generated output, --load). */
    ownLayers: string[] = ['generated'],
    readonly settings: ValidatorSettings = {},
  ) {
    this.model = new StructureModel(index);
    this.terminology = new Terminology(index);
    this.plans = new ProfilePlans(this.model, index, new PrimitiveChecks(this.model, settings), ownLayers, settings);
    this.walker = new Walker(this.plans, this.terminology, index);
  }

  /**
   * Loads the definitions and the FHIR packages they need (installed into the FHIR package cache
   * on first use, from `mirror`/FHIR_PACKAGE_MIRROR or the registry), plus `extraLayers`. Without
   * `projectDir`/`generatedDir`: `./generated/fhir` when the working directory holds a codegen
   * output, else the definitions bundled in @mes-fhir/definitions.
   */
  static async load(options: ValidatorLoadOptions = {}): Promise<Validator> {
    const { index } = await loadProjectIndex(options);
    const { allowExampleUrls, securityChecks, htmlInMarkdown } = options;
    return new Validator(index, ['generated', ...(options.extraLayers ?? []).map((l) => l.label)], { allowExampleUrls, securityChecks, htmlInMarkdown });
  }

  /** MES canonical → our profile that requires it (the rule codegen's registry uses); a loaded profile → itself. */
  resolveProfile(canonical: string): string | undefined {
    return this.plans.resolveProfile(canonical);
  }

  /** Validates one resource; never throws. */
  validate(resource: unknown, options: ValidateOptions = {}): OperationOutcome {
    return toOperationOutcome(this.validateToIssues(resource, options));
  }

  /**
   * Validates every resource of an iterable or async iterable (a stream of NDJSON lines parsed,
   * a database cursor…), one at a time and in order: memory does not grow with the input.
   */
  async *validateAll(resources: AsyncIterable<unknown> | Iterable<unknown>, options: ValidateOptions = {}): AsyncGenerator<OperationOutcome> {
    for await (const resource of resources) yield this.validate(resource, options);
  }

  /** FHIR XML ↔ JSON with the loaded definitions (`@mes-fhir/xml`). */
  get xml(): FhirXml {
    return (this.xmlConverter ??= new FhirXml(this.model));
  }

  /**
   * Validates a resource written in FHIR XML: read into JSON with the loaded definitions, then
   * validated as JSON, so that locations read the same (`Observation.valueQuantity.code`).
   * Never throws: XML that cannot be read is one fatal issue.
   */
  validateXml(text: string, options: ValidateOptions = {}): OperationOutcome {
    const read = this.xml.fromXml(text);
    if (read.ok) return this.validate(read.resource, options);
    const ctx = new ValidationContext(this.walker);
    ctx.report('xml-unreadable', '', read.error);
    return toOperationOutcome(ctx.issues);
  }

  /** Validates a resource given as JSON text; never throws: text that does not parse is one error. */
  validateJson(text: string, options: ValidateOptions = {}): OperationOutcome {
    let resource: unknown;
    try {
      resource = JSON.parse(text);
    } catch (e) {
      const ctx = new ValidationContext(this.walker);
      ctx.report('json-unreadable', '', (e as Error).message);
      return toOperationOutcome(ctx.issues);
    }
    return this.validate(resource, options);
  }

  /** The issues of one resource, each once, in document order; never throws. */
  validateToIssues(resource: unknown, options: ValidateOptions = {}): Issue[] {
    const ctx = new ValidationContext(this.walker, options.resolveAttachment);
    const profiles: string[] = [];
    if (options.profile) {
      const resolved = this.plans.resolveProfile(options.profile);
      if (resolved) profiles.push(resolved);
      else ctx.report('profile-not-loaded', '', options.profile);
    }
    return this.walker.validate(resource, { profiles }, ctx);
  }
}
