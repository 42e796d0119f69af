/** The test scenario of the API Agenda: an appointment created, updated, then found. */
import { entryResources, failed, isSearch, missing, pathOf, proven, refusalOf, responseJson, type Scenario, type Step } from '../grading/scenario.js';
import type { Exchange } from '../grading/exchange.js';

const creates = (x: Exchange) => x.method === 'POST' && pathOf(x) === '/Appointment';
const updates = (x: Exchange) => x.method === 'PUT' && /^\/Appointment\/[^/]+$/.test(pathOf(x));

export const agendaScenarios: Scenario[] = [
  {
    id: 'rendez-vous',
    api: 'Agenda',
    title: 'Rendez-vous créé, modifié puis retrouvé',
    expectation: 'POST Appointment (201), PUT du même rendez-vous (200), puis GET Appointment?patient.identifier=… qui le rend.',
    judge(xs) {
      const tried = xs.filter(creates);
      const created = tried.filter((x) => x.status === 201);
      const ids = new Set(created.map((x) => String(responseJson(x)?.id ?? '')));
      const step = (title: string, attempts: Exchange[], success: Exchange | undefined, proof: string, todo: string): Step =>
        success
          ? proven(title, proof, [success])
          : attempts.length
            ? failed(title, `${attempts.length} essai(s), aucun accepté : ${refusalOf(attempts.at(-1)!)}`, attempts.slice(-3))
            : missing(title, todo);
      const updateTries = xs.filter((x) => updates(x) && ids.has(pathOf(x).split('/')[2]!));
      const searches = xs.filter((x) => isSearch(x, 'Appointment'));
      const found = searches.find((x) => x.status === 200 && entryResources(responseJson(x)).some((r) => ids.has(String(r?.id ?? ''))));
      return [
        step('Créé (201)', tried, created[0], 'Rendez-vous créé.', 'Aucun rendez-vous créé (POST /Appointment).'),
        step(
          'Modifié (200)',
          updateTries,
          updateTries.find((x) => x.status === 200),
          'Rendez-vous modifié.',
          'Aucune modification (PUT /Appointment/<id>) d’un rendez-vous créé.',
        ),
        found
          ? proven('Retrouvé par recherche', 'La recherche a rendu le rendez-vous créé.', [found])
          : missing('Retrouvé par recherche', 'Aucune recherche n’a rendu un rendez-vous créé par l’application.', searches.slice(-1)),
      ];
    },
  },
];
