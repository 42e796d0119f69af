/**
 * The scenarios that belong to no single API: pairing (MES's "API Appariement"), consent withdrawn,
 * a 422 corrected, and paging followed to the end.
 */
import { isObject } from '@mes-fhir/core';
import type { Exchange } from './exchange.js';
import {
  attempted,
  entryResources,
  failed,
  isSuccess,
  linkOf,
  metaProfiles,
  codesOf,
  missing,
  pageKey,
  pathOf,
  proven,
  refusalOf,
  requestJson,
  responseJson,
  type Scenario,
  type Step,
} from './scenario.js';

/** Calls tolerated after the first 403 of a withdrawn pairing: those already in flight; more is a retry storm. */
export const CALLS_AFTER_WITHDRAWAL = 3;

const tokenCall = (x: Exchange, grant: string) => x.method === 'POST' && x.url === '/oauth/token' && requestJson(x)?.grant_type === grant;

const pairing: Scenario = {
  id: 'appariement',
  api: 'Appariement',
  title: 'Appariement : code d’autorisation (PKCE), puis renouvellement du jeton',
  expectation:
    'L’application lance l’appariement (/oauth/authorize), échange le code reçu avec son code_verifier, puis renouvelle son jeton avec le refresh_token reçu.',
  judge(xs) {
    const steps: Step[] = [
      attempted(
        'Code échangé contre des jetons',
        xs,
        (x) => tokenCall(x, 'authorization_code'),
        (x) => x.status === 200,
        {
          proven: 'Le code d’autorisation a été échangé avec le bon code_verifier (PKCE S256).',
          missing: 'Aucun échange de code (grant_type=authorization_code) : appariez un patient depuis l’application.',
        },
      ),
    ];
    const exchanged = xs.find((x) => tokenCall(x, 'authorization_code') && x.status === 200);
    const refreshes = xs.filter((x) => tokenCall(x, 'refresh_token') && (!exchanged || x.seq > exchanged.seq));
    const reused = refreshes.find((x) => x.status === 400 && /already used/.test(String(responseJson(x)?.error_description ?? '')));
    const renewed = refreshes.find((x) => x.status === 200);
    steps.push(
      reused
        ? failed(
            'Jeton renouvelé',
            'Un refresh_token déjà utilisé a été présenté de nouveau : toute sa famille est révoquée. Gardez le nouveau refresh_token de chaque réponse.',
            [reused],
          )
        : renewed
          ? proven('Jeton renouvelé', 'Le refresh_token a donné de nouveaux jetons.', [renewed])
          : missing(
              'Jeton renouvelé',
              'Aucun renouvellement (grant_type=refresh_token) après l’appariement : lancez le bac à sable avec --token-lifetime court pour le provoquer.',
            ),
    );
    return steps;
  },
};

const withdrawal: Scenario = {
  id: 'retrait-consentement',
  api: 'Appariement',
  title: 'Consentement retiré : le refus 403 est compris, sans relance en boucle',
  expectation:
    'Le patient retire son consentement (page « Mes applications » du bac à sable) ; l’appel suivant reçoit 403 et l’application cesse d’appeler pour ce patient.',
  judge(xs) {
    const withdrawn = xs.find((x) => x.method === 'POST' && pathOf(x) === '/mes-applications' && x.idPe);
    if (!withdrawn)
      return [
        missing(
          'Consentement retiré',
          'Le consentement n’a pas été retiré : ouvrez /mes-applications?patient=<patient> pendant que l’application tourne et retirez-le.',
        ),
      ];
    const steps: Step[] = [proven('Consentement retiré', `Le patient ${withdrawn.idPe} a retiré son consentement.`, [withdrawn])];
    const after = xs.filter((x) => x.seq > withdrawn.seq);
    const refused = after.find((x) => x.idPe === withdrawn.idPe && x.status === 403);
    if (!refused) {
      steps.push(missing('Refus 403 reçu', 'Aucun appel pour ce patient après le retrait : appelez une API avec son jeton pour voir le refus.'));
      return steps;
    }
    steps.push(proven('Refus 403 reçu', refusalOf(refused), [refused]));
    // every later call for that patient, and every renewal refused (the pairing's refresh tokens ended)
    const storm = after.filter(
      (x) =>
        x.seq > refused.seq && (x.idPe === withdrawn.idPe || (x.url === '/oauth/token' && requestJson(x)?.grant_type === 'refresh_token' && x.status === 400)),
    );
    steps.push(
      storm.length > CALLS_AFTER_WITHDRAWAL
        ? failed(
            'Pas de relance en boucle',
            `${storm.length} appels après le refus (au plus ${CALLS_AFTER_WITHDRAWAL} tolérés) : l’application doit cesser d’appeler pour ce patient et lui proposer de l’apparier de nouveau.`,
            storm.slice(0, 5),
          )
        : proven('Pas de relance en boucle', `${storm.length} appel(s) après le refus.`, storm),
    );
    return steps;
  },
};

/**
 * What a payload is, to tell whether a later accepted one corrects a refused one: the route, and
 * the profile and code of each resource it carries (a Bundle: its entries but Devices and Binaries).
 */
export function payloadKind(x: Exchange): string {
  const body = requestJson(x);
  const route = `${x.method} ${pathOf(x).replace(/^(\/[A-Za-z]+\/)[^/]+$/, '$1:id')}`;
  const resources = body?.resourceType === 'Bundle' ? entryResources(body) : [body];
  const kinds = resources
    .filter((r) => isObject(r) && r.resourceType !== 'Device' && r.resourceType !== 'Binary')
    .map((r) => `${String(r!.resourceType)}|${metaProfiles(r).sort().join(',')}|${codesOf(r).join(',')}`);
  return `${route} ${[...new Set(kinds)].sort().join(' ')}`;
}

const correction: Scenario = {
  id: 'correction-apres-422',
  api: 'Toutes les API',
  title: 'Refus 422 compris : le contenu corrigé est ensuite accepté',
  expectation:
    'Un envoi refusé en 422 (OperationOutcome) est corrigé par l’application et renvoyé : un envoi de même nature est accepté ensuite. Pour le prouver, envoyez une fois un contenu invalide (une mesure sans valeur, par exemple).',
  judge(xs) {
    const refusals = xs.filter((x) => x.status === 422);
    if (!refusals.length) return [missing('Refus 422 reçu', 'Aucun envoi n’a été refusé en 422 : envoyez une fois un contenu invalide, puis corrigez-le.')];
    const steps: Step[] = [proven('Refus 422 reçu', `${refusals.length} refus 422.`, refusals.slice(0, 3))];
    const uncorrected: Exchange[] = [];
    const corrections: Exchange[] = [];
    for (const refusal of refusals) {
      const kind = payloadKind(refusal);
      const fix = xs.find((x) => x.seq > refusal.seq && isSuccess(x) && payloadKind(x) === kind);
      if (fix) corrections.push(refusal, fix);
      else uncorrected.push(refusal);
    }
    steps.push(
      uncorrected.length
        ? failed(
            'Contenu corrigé puis accepté',
            `${uncorrected.length} refus jamais suivi(s) d’un envoi de même nature accepté, dont ${refusalOf(uncorrected[0]!)}.`,
            uncorrected.slice(0, 5),
          )
        : proven('Contenu corrigé puis accepté', 'Chaque refus 422 a été suivi d’un envoi de même nature accepté.', corrections.slice(0, 6)),
    );
    return steps;
  },
};

const paging: Scenario = {
  id: 'pagination',
  api: 'Toutes les API',
  title: 'Pagination : une recherche suivie de lien next en lien next jusqu’à la dernière page',
  expectation: 'Une recherche dont le résultat tient sur plusieurs pages (_count petit) est suivie par ses liens next jusqu’à la page qui n’en a plus.',
  judge(xs) {
    const pages = xs.filter((x) => x.method === 'GET' && x.status === 200 && responseJson(x)?.type === 'searchset');
    const byKey = new Map<string, Exchange>();
    for (const p of pages) if (!byKey.has(pageKey(p.url))) byKey.set(pageKey(p.url), p);
    const followedFrom = new Set<number>();
    let best: Exchange[] = [];
    for (const first of pages) {
      if (followedFrom.has(first.seq) || !linkOf(responseJson(first), 'next')) continue;
      const chain = [first];
      for (let next = linkOf(responseJson(first), 'next'); next;) {
        const page = byKey.get(pageKey(next));
        if (!page || page.seq < chain.at(-1)!.seq || chain.includes(page)) break;
        chain.push(page);
        followedFrom.add(page.seq);
        next = linkOf(responseJson(page), 'next');
      }
      if (!linkOf(responseJson(chain.at(-1)!), 'next'))
        return [proven('Liens next suivis jusqu’au bout', `${chain.length} pages lues, la dernière sans lien next.`, chain.slice(0, 6))];
      if (chain.length > best.length) best = chain;
    }
    return [
      missing(
        'Liens next suivis jusqu’au bout',
        best.length
          ? `La recherche a été suivie sur ${best.length} page(s) sans atteindre la dernière.`
          : 'Aucune recherche n’a suivi un lien next : cherchez avec un _count petit et lisez toutes les pages.',
        best.slice(0, 3),
      ),
    ];
  },
};

/** Pairing and its end, graded before the APIs. */
export const PAIRING_SCENARIOS: readonly Scenario[] = [pairing, withdrawal];
/** What every API shares, graded after them. */
export const CROSS_API_SCENARIOS: readonly Scenario[] = [correction, paging];
