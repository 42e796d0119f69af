/** The test scenario of the API Agenda: an appointment created, updated, then found. */
import { attempted, entryResources, isSearch, pathOf, readBack, responseJson, type Scenario } from '../grading/scenario.js';
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
      const ids = new Set(xs.filter((x) => creates(x) && x.status === 201).map((x) => String(responseJson(x)?.id ?? '')));
      return [
        attempted('Créé (201)', xs, creates, (x) => x.status === 201, { proven: 'Rendez-vous créé.', missing: 'Aucun rendez-vous créé (POST /Appointment).' }),
        attempted(
          'Modifié (200)',
          xs,
          (x) => updates(x) && ids.has(pathOf(x).split('/')[2]!),
          (x) => x.status === 200,
          {
            proven: 'Rendez-vous modifié.',
            missing: 'Aucune modification (PUT /Appointment/<id>) d’un rendez-vous créé.',
          },
        ),
        readBack(
          'Retrouvé par recherche',
          xs,
          (x) => isSearch(x, 'Appointment'),
          (x) => x.status === 200 && entryResources(responseJson(x)).some((r) => ids.has(String(r?.id ?? ''))),
          {
            proven: 'La recherche a rendu le rendez-vous créé.',
            missing: 'Aucune recherche de rendez-vous.',
            notFound: 'Aucune recherche n’a rendu un rendez-vous créé par l’application.',
          },
        ),
      ];
    },
  },
];
