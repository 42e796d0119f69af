/** The pages of value sets and code systems. */

import { NOS_PACKAGE } from '@mes-fhir/fhir-packages';
import type { Expansion, Terminology } from '@mes-fhir/terminology';
import type { ManifestProfile, ManifestTerminology } from '../manifest.js';
import { code, frontMatter, table, text } from './mdx.js';
import { PROFILE_DIR, type SiteInput } from './site-input.js';

export function titleOfVs(input: SiteInput, url: string): string {
  const vs = input.terminology.valueSet(url) as { title?: string; name?: string } | undefined;
  return vs?.title ?? vs?.name ?? url.split('/').pop() ?? url;
}

/** Why a value set cannot be listed, in French, the url concerned in code (never auto-linked with its escapes). */
export function whyNotExpanded(failure: Extract<Expansion, { ok: false }>): string {
  const about = code(failure.about);
  switch (failure.reason) {
    case 'not-found':
      return failure.about === failure.url
        ? `ce jeu de valeurs n'est publié dans aucun des paquets chargés (pour le NOS, il manque aux fichiers SVS fournis).`
        : `il importe ${about}, qui n'est publié dans aucun des paquets chargés.`;
    case 'external-system':
      return `il prend tous les codes de ${about}, une terminologie externe (LOINC, SNOMED CT, une TRE complète du NOS…) qui n'est pas disponible hors ligne ; chaque code reste vérifié à la validation quand c'est possible.`;
    case 'incomplete-code-system':
      return `le système de codes ${about} n'est chargé qu'en partie (sans tous ses codes) ; chaque code reste vérifié à la validation quand c'est possible.`;
    case 'unsupported-filter':
      return `un filtre sur ${about} n'est pas pris en charge hors ligne.`;
    case 'too-large':
      return `il compte plus de codes que la limite d'une expansion (\`mes-fhir expand\` les liste).`;
    case 'cycle':
    case 'too-deep':
      return `ses imports de jeux de valeurs bouclent ou sont trop profonds (${about}).`;
  }
}

/** Where a value set comes from, for readers: our FSH, the NOS value sets, or a dependency package. */
export function sourceOf(layer: string): string {
  if (layer === 'generated') return 'profils mes-fhir (FSH)';
  if (layer.startsWith(`${NOS_PACKAGE}#`)) return `NOS, fichiers SVS de l'ANS (paquet ${code(layer)})`;
  return `paquet ${code(layer)}`;
}

export function valueSetPage(input: SiteInput, url: string, usedBy: Set<string>, ours: Map<string, ManifestProfile>): string {
  const vs = input.terminology.valueSet(url) as (ReturnType<Terminology['valueSet']> & { title?: string; name?: string; description?: string }) | undefined;
  const title = vs ? titleOfVs(input, url) : (url.split('/').pop() ?? url);
  const out: string[] = [frontMatter({ title }), `# ${text(title)}`, '', `Canonique : ${code(url)}`, ''];
  const entry = input.terminology.index.findEntryOfType(url, 'ValueSet');
  if (entry) out.push(`Version : ${entry.version ? code(entry.version) : 'non précisée'} · Source : ${sourceOf(entry.source)}`, '');
  if (vs?.description) out.push(text(vs.description), '');
  if (usedBy.size) {
    out.push(
      'Utilisé par : ' +
        [...usedBy]
          .sort()
          .map((u) => `[${text(ours.get(u)?.title ?? u)}](../${PROFILE_DIR}/${ours.get(u)?.id}.mdx)`)
          .join(', '),
      '',
    );
  }
  const expansion = input.terminology.expand(url);
  out.push('## Expansion', '');
  if (!expansion.ok) out.push(`Liste des codes indisponible hors ligne : ${whyNotExpanded(expansion)}`, '');
  else if (expansion.concepts.length > 1000) out.push(`${expansion.concepts.length} concepts : trop pour cette page (\`mes-fhir expand ${url}\`).`, '');
  else
    out.push(
      `${expansion.concepts.length} concept(s).`,
      '',
      table(
        ['Système', 'Code', 'Libellé'],
        expansion.concepts.map((c) => [code(c.system), code(c.code), text(c.display)]),
      ),
      '',
    );
  return out.join('\n');
}

/** The page of one of our code systems: its codes and their labels. */
export function codeSystemPage(input: SiteInput, cs: ManifestTerminology): string {
  const view = input.terminology.codeSystem(cs.url);
  const concepts = view ? [...view.concepts.values()] : [];
  return [
    frontMatter({ title: cs.title ?? cs.id }),
    `# ${text(cs.title ?? cs.id)}`,
    '',
    `Canonique : ${code(cs.url)}`,
    '',
    text((view?.resource as { description?: string } | undefined)?.description ?? ''),
    '',
    table(
      ['Code', 'Libellé'],
      concepts.map((c) => [code(c.code), text(c.display)]),
    ),
    '',
  ].join('\n');
}
