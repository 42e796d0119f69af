/** The test scenarios of the API Mesures: each measure fed, the BMI read, the Device reused, the searches. */
import type { Validator } from '@mes-fhir/validator';
import type { Exchange } from '../grading/exchange.js';
import {
  attempted,
  codesOf,
  entryResources,
  entryResponses,
  failed,
  isSearch,
  metaProfiles,
  missing,
  proven,
  queryOf,
  readBack,
  requestJson,
  responseJson,
  type Scenario,
} from '../grading/scenario.js';
import { BMI, creatableMeasures, GLUCOSE, MES_MEASURE_BASE } from './mesures.js';

/** The kinds of glycaemia MES distinguishes by code, each fed separately (its own moment and number-of-days rules). */
const GLUCOSE_KINDS: Record<string, string> = {
  '2345-7': 'glucose sanguin',
  '4548-4': 'hémoglobine glyquée (HbA1c)',
  'MED-969': 'glucose interstitiel moyen',
  'MED-972': 'indice de gestion de la glycémie (IGG)',
};

const isFeeding = (x: Exchange) => x.method === 'POST' && x.url.split('?')[0] === '/' && requestJson(x)?.resourceType === 'Bundle';

/** Feeding Bundles that carry an Observation matching `matches`, and whether that entry was created. */
function feedingsOf(xs: readonly Exchange[], matches: (o: Record<string, unknown>) => boolean) {
  return xs.filter(isFeeding).flatMap((x) => {
    const i = entryResources(requestJson(x)).findIndex((r) => r?.resourceType === 'Observation' && matches(r));
    return i < 0 ? [] : [{ x, created: x.status === 200 && (entryResponses(responseJson(x))[i]?.status ?? '').startsWith('201') }];
  });
}

function measureScenario(id: string, label: string, matches: (o: Record<string, unknown>) => boolean): Scenario {
  const title = `Mesure « ${label} » envoyée et acceptée`;
  return {
    id,
    api: 'Mesures',
    title,
    expectation: `Un Bundle d’alimentation portant une mesure « ${label} » est accepté (201).`,
    judge(xs) {
      const sent = feedingsOf(xs, matches);
      const accepted = sent.find((s) => s.created);
      return [
        attempted(
          'Envoyée et créée (201)',
          sent.map((s) => s.x),
          () => true,
          (x) => x === accepted?.x,
          { proven: 'La mesure a été créée.', missing: `Aucune mesure « ${label} » envoyée.` },
        ),
      ];
    },
  };
}

/** Devices created (201) by the app's feeding Bundles, with their stored id and their identifiers. */
function createdDevices(xs: readonly Exchange[]) {
  return xs.filter(isFeeding).flatMap((x) => {
    const resources = entryResources(requestJson(x));
    const responses = entryResponses(responseJson(x));
    return resources.flatMap((r, i) =>
      r?.resourceType === 'Device' && x.status === 200
        ? [
            {
              x,
              status: responses[i]?.status ?? '',
              id: /^Device\/([^/]+)/.exec(responses[i]?.location ?? '')?.[1] ?? '',
              identifiers: (Array.isArray(r.identifier) ? r.identifier : []).map(
                (id: { system?: string; value?: string }) => `${id.system ?? ''}|${id.value ?? ''}`,
              ),
            },
          ]
        : [],
    );
  });
}

const deviceReused: Scenario = {
  id: 'appareil-reutilise',
  api: 'Mesures',
  title: 'Appareil créé une fois (création conditionnelle), puis réutilisé',
  expectation:
    'Le Device est envoyé avec ifNoneExist sur son identifiant : créé au premier envoi (201), reconnu aux suivants (200), jamais créé deux fois pour le même appareil.',
  judge(xs) {
    const devices = createdDevices(xs);
    const created = devices.filter((d) => d.status.startsWith('201'));
    // the same device (any identifier in common) stored twice: the app did not name it the same way each time
    for (const [i, a] of created.entries()) {
      const b = created.slice(i + 1).find((d) => d.id !== a.id && d.identifiers.some((k) => a.identifiers.includes(k)));
      if (b) {
        const shared = b.identifiers.find((k) => a.identifiers.includes(k))!;
        return [
          failed(
            'Appareil créé une seule fois',
            `L’appareil ${shared} a été créé deux fois (Device/${a.id} et Device/${b.id}) : ifNoneExist doit nommer le même identifiant à chaque envoi.`,
            [a.x, b.x],
          ),
        ];
      }
    }
    const reused = devices.find((d) => d.status.startsWith('200') && created.some((c) => c.id === d.id));
    return [
      created.length
        ? proven('Appareil créé (201)', `Device/${created[0]!.id} créé.`, [created[0]!.x])
        : missing('Appareil créé (201)', 'Aucun Device envoyé avec une mesure.'),
      reused
        ? proven('Appareil reconnu (200)', `Device/${reused.id} reconnu par son identifiant.`, [reused.x])
        : missing('Appareil reconnu (200)', 'Aucun second envoi du même Device : envoyez deux mesures du même appareil.'),
    ];
  },
};

const bmiRead: Scenario = {
  id: 'mesure-bmi',
  api: 'Mesures',
  title: 'IMC : jamais envoyé, lu une fois calculé par MES',
  expectation: 'MES calcule l’IMC à partir du poids et de la taille : l’application ne l’envoie pas, et le lit par une recherche (code 39156-5).',
  judge(xs) {
    const sent = feedingsOf(xs, (o) => codesOf(o).includes(BMI) || metaProfiles(o).some((p) => p.startsWith(`${MES_MEASURE_BASE}mes-observation-bmi`)));
    if (sent.length)
      return [
        failed('IMC jamais envoyé', 'L’application a envoyé un IMC : MES le refuse (« Bmi observation cannot be created »).', sent.map((s) => s.x).slice(0, 3)),
      ];
    return [
      readBack(
        'IMC lu',
        xs,
        (x) => isSearch(x, 'Observation') && (queryOf(x).get('code') ?? '').split(',').some((c) => c.endsWith(BMI)),
        (x) => x.status === 200 && entryResources(responseJson(x)).some((r) => r?.resourceType === 'Observation'),
        {
          proven: 'Une recherche du code 39156-5 a rendu l’IMC calculé.',
          missing: 'Aucune recherche de l’IMC : envoyez un poids et une taille, puis cherchez code=39156-5.',
          notFound: 'Les recherches de l’IMC n’en ont rendu aucun : envoyez un poids et une taille du même patient.',
        },
      ),
    ];
  },
};

const searchByPeriod: Scenario = {
  id: 'recherche-periode',
  api: 'Mesures',
  title: 'Recherche de mesures par code et période',
  expectation: 'GET Observation?subject.identifier=…&code=…&date=ge…&date=le… est accepté.',
  judge: (xs) => [
    attempted(
      'Recherche par période',
      xs,
      (x) => isSearch(x, 'Observation') && queryOf(x).getAll('date').length > 0,
      (x) => x.status === 200,
      { proven: 'Recherche par code et période acceptée.', missing: 'Aucune recherche par période (date=ge…&date=le…).' },
    ),
  ],
};

const searchLatest: Scenario = {
  id: 'recherche-dernieres',
  api: 'Mesures',
  title: 'Recherche des dernières mesures (_sort=-date)',
  expectation: 'GET Observation?subject.identifier=…&code=…&_sort=-date est accepté.',
  judge: (xs) => [
    attempted(
      'Recherche triée par date décroissante',
      xs,
      (x) => isSearch(x, 'Observation') && queryOf(x).get('_sort') === '-date',
      (x) => x.status === 200,
      { proven: 'Recherche _sort=-date acceptée.', missing: 'Aucune recherche _sort=-date.' },
    ),
  ],
};

/** One scenario per measure an app feeds (glycaemia: one per kind), the BMI, the Device, the two searches. */
export function mesuresScenarios(validator: Validator): Scenario[] {
  const measures = creatableMeasures(validator).flatMap(({ canonical, title }) => {
    const label = title.replace(/^MES /, '');
    const tail = canonical.slice(canonical.lastIndexOf('/') + 1).replace(/^mes-observation-/, '');
    const hasProfile = (o: Record<string, unknown>) => metaProfiles(o).includes(canonical);
    if (!canonical.endsWith('mes-observation-glucose')) return [measureScenario(`mesure-${tail}`, label, hasProfile)];
    return [...GLUCOSE].map((code) =>
      measureScenario(`mesure-${tail}-${code}`, `${label} : ${GLUCOSE_KINDS[code] ?? code}`, (o) => hasProfile(o) && codesOf(o).includes(code)),
    );
  });
  return [...measures, bmiRead, deviceReused, searchByPeriod, searchLatest];
}
