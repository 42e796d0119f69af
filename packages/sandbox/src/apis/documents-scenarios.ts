/** The test scenarios of the API Documents: publication by ITI-105 and ITI-65, search (ITI-67), retrieval byte for byte (ITI-68). */
import { isObject } from '@mes-fhir/core';
import { documentSha256, type BodyDigest, type Exchange } from '../grading/exchange.js';
import { attempted, entryResources, isSearch, isSuccess, pathOf, readBack, requestJson, responseJson, type Scenario } from '../grading/scenario.js';

const publishes = (x: Exchange) => x.method === 'POST' && pathOf(x) === '/DocumentReference';
const providesBundle = (x: Exchange) =>
  x.method === 'POST' && pathOf(x) === '/' && entryResources(requestJson(x)).some((r) => r?.resourceType === 'DocumentReference');
const retrieves = (x: Exchange) => x.method === 'GET' && /^\/Binary\/[^/]+$/.test(pathOf(x));

/** SHA-256 of every document an accepted request of the app carried (the markers of its `data`). */
function publishedHashes(xs: readonly Exchange[]): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v))
      for (const [k, item] of Object.entries(v)) {
        const sha = k === 'data' ? documentSha256(item) : undefined;
        if (sha) found.add(sha);
        else walk(item);
      }
  };
  for (const x of xs) if (isSuccess(x) && (publishes(x) || providesBundle(x))) walk(x.requestBody);
  return found;
}

/** SHA-256 of the bytes a retrieval answered: raw (their digest) or a Binary resource (its data's marker). */
function retrievedHash(x: Exchange): string | undefined {
  const json = responseJson(x);
  if (json) return documentSha256(json.data);
  return isObject(x.responseBody) ? (x.responseBody as unknown as BodyDigest).sha256 : undefined;
}

export const documentsScenarios: Scenario[] = [
  {
    id: 'document-iti105',
    api: 'Documents',
    title: 'Document publié par ITI-105 (DocumentReference seule)',
    expectation: 'POST DocumentReference portant le document en ligne est accepté (201).',
    judge: (xs) => [
      attempted('Publication ITI-105', xs, publishes, (x) => x.status === 201, {
        proven: 'Document publié.',
        missing: 'Aucune publication POST /DocumentReference.',
      }),
    ],
  },
  {
    id: 'document-iti65',
    api: 'Documents',
    title: 'Lot de documents publié par ITI-65 (Bundle transaction)',
    expectation: 'Un Bundle « provide document » (List, DocumentReference, Binary) envoyé à la base est accepté.',
    judge: (xs) => [
      attempted('Publication ITI-65', xs, providesBundle, (x) => x.status === 200, {
        proven: 'Lot publié.',
        missing: 'Aucun Bundle ITI-65 envoyé.',
      }),
    ],
  },
  {
    id: 'document-iti67',
    api: 'Documents',
    title: 'Documents trouvés par ITI-67',
    expectation: 'GET DocumentReference?patient.identifier=… rend au moins un document.',
    judge: (xs) => [
      readBack(
        'Recherche ITI-67',
        xs,
        (x) => isSearch(x, 'DocumentReference'),
        (x) => x.status === 200 && entryResources(responseJson(x)).some((r) => r?.resourceType === 'DocumentReference'),
        { proven: 'La recherche a rendu des documents.', missing: 'Aucune recherche de documents.', notFound: 'Les recherches n’ont rendu aucun document.' },
      ),
    ],
  },
  {
    id: 'document-iti68',
    api: 'Documents',
    title: 'Document récupéré par ITI-68, octet pour octet',
    expectation: 'Le document publié par l’application est relu par l’URL de sa pièce jointe, et ses octets sont ceux envoyés.',
    judge(xs) {
      const published = publishedHashes(xs);
      return [
        readBack('Récupération ITI-68', xs, retrieves, (x) => x.status === 200 && published.has(retrievedHash(x) ?? ''), {
          proven: 'Les octets relus ont le SHA-256 des octets publiés.',
          missing: 'Aucun document relu (GET de l’URL de la pièce jointe).',
          notFound: 'Les documents relus ne sont pas ceux que l’application a publiés.',
        }),
      ];
    },
  },
];
