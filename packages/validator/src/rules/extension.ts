/**
 * Extensions: the definition an extension is checked against (the profile its element names, else
 * the one its url resolves to; an unknown url is an error, as by default in the Java validator),
 * and whether it may sit where it is (its contexts, for the FHIR versions they are marked for).
 */
import type * as fhir4 from 'fhir/r4.js';
import type { Json } from '@mes-fhir/core';
import type { ElementNode, ProfileTree, TypeRef } from '@mes-fhir/profile-model';
import type { ValidationContext } from '../context.js';
import type { ElementPlace } from '../plans/element-lookup.js';
import type { ProfilePlans } from '../plans/profile-plans.js';

type ExtensionContext = fhir4.StructureDefinitionContext;
const VERSION_SPECIFIC_USE = 'http://hl7.org/fhir/StructureDefinition/version-specific-use';

export class ExtensionRule {
  /** Extension url → why it may not sit at a place ('' when it may), per place (places are memoised; others are let go). */
  private readonly contextVerdicts = new WeakMap<ElementPlace, Map<string, string[] | null>>();

  constructor(private readonly plans: ProfilePlans) {}

  /** The definition an extension value is checked against, reporting an unknown url or a context it may not sit in. */
  definitionOf(ctx: ValidationContext, value: Json, type: TypeRef, node: ElementNode, location: string, at: ElementPlace): ProfileTree | undefined {
    if (type.profiles[0]) return this.plans.model.tree(type.profiles[0]);
    const url = value.url;
    if (typeof url !== 'string') return undefined;
    if (!url.includes(':')) {
      // relative urls name the parts of a complex extension (its own definition describes them); elsewhere a url is absolute
      const segments = at.path.split('.');
      const host = segments[segments.length - 2];
      if (host !== 'extension' && host !== 'modifierExtension') ctx.report('extension-url-relative', location, url);
      return undefined;
    }
    const tree = this.plans.model.tree(url);
    if (!tree || tree.sd.type !== 'Extension') {
      ctx.report('extension-unknown', location, url, node.name === 'modifierExtension');
      return undefined;
    }
    // whether the extension may sit here: the same for every value at the same (memoised) place
    let verdicts = this.contextVerdicts.get(at);
    if (!verdicts) this.contextVerdicts.set(at, (verdicts = new Map()));
    let refusal = verdicts.get(url);
    if (refusal === undefined) verdicts.set(url, (refusal = this.contextRefusal(tree, at)));
    if (refusal) ctx.report('extension-context', location, url, refusal[0]!, refusal[1]!);
    return tree;
  }

  /** Why an extension may not sit at a place (the host element and its contexts), or null when it may. */
  private contextRefusal(tree: ProfileTree, at: ElementPlace): string[] | null {
    // The element the extension sits on: its path in the resource and its data type (and the types it derives from).
    const hostPath = at.path.split('.').slice(0, -1).join('.');
    const allowed = new Set(['Element', 'Base', 'Resource', 'DomainResource', 'BackboneElement', hostPath, ...this.plans.typeAndAncestors(at.type)]);
    if (at.typePath) allowed.add(at.typePath.split('.').slice(0, -1).join('.'));
    const contexts = applicableContexts(tree.sd.context ?? []);
    const fits = (c: ExtensionContext) => {
      if (c.type !== 'element') return true;
      const expression = c.expression.replace(/\[x\]/g, '');
      // R5's CanonicalResource, which R4 extension packs name: the R4 resources that have a url
      if (expression === 'CanonicalResource') return hostPath === at.type && Boolean(this.plans.baseType(at.type)?.byId.get(`${at.type}.url`));
      return allowed.has(expression);
    };
    if (contexts.length && !contexts.some(fits)) return [hostPath, contexts.map((c) => c.expression).join(', ')];
    return null;
  }
}

/**
 * The contexts of an extension that apply to FHIR R4: the cross-version extension packs mark
 * contexts with the FHIR versions they belong to (version-specific-use, startFhirVersion/endFhirVersion).
 * When none is marked for R4, all are kept.
 */
function applicableContexts(contexts: ExtensionContext[]): ExtensionContext[] {
  const forR4 = contexts.filter((c) => {
    const use = c.extension?.find((e) => e.url === VERSION_SPECIFIC_USE)?.extension ?? [];
    const start = use.find((e) => e.url === 'startFhirVersion')?.valueCode;
    const end = use.find((e) => e.url === 'endFhirVersion')?.valueCode;
    return (!start || compareVersions(start, '4.0') <= 0) && (!end || compareVersions(end, '4.0') >= 0);
  });
  return forR4.length ? forR4 : contexts;
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
