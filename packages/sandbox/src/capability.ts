import type { Validator } from '@mes-fhir/validator';
import { OBSERVATION_SEARCH_PARAMETERS } from './mesures.js';
import { APPOINTMENT_SEARCH_PARAMETERS } from './agenda.js';
import { DOCUMENT_SEARCH_PARAMETERS } from './documents.js';

/** FHIR types of the search parameters the routes accept (for the CapabilityStatement). */
const PARAMETER_TYPES: Record<string, string> = {
  'subject.identifier': 'token',
  'patient.identifier': 'token',
  code: 'token',
  type: 'token',
  status: 'token',
  date: 'date',
};

function searchParams(names: string[]) {
  return names.filter((n) => !n.startsWith('_')).map((name) => ({ name, type: PARAMETER_TYPES[name] ?? 'string' }));
}

/**
 * The sandbox's CapabilityStatement: the resources and interactions it serves, each with the
 * profiles of the loaded definitions for that type (our generated profiles, listed from the
 * validator's index, so it follows the definitions in use) and the search parameters accepted.
 */
export function capabilityStatement(validator: Validator, base: string, version: string): Record<string, unknown> {
  const profilesOf = (type: string) =>
    validator.index
      .list('StructureDefinition')
      .filter((e) => e.source === 'generated' && e.url)
      .map((e) => validator.index.read<{ type?: string; url: string; kind?: string; derivation?: string }>(e))
      .filter((sd) => sd.type === type && sd.derivation === 'constraint')
      .map((sd) => sd.url)
      .sort();
  const resource = (type: string, interactions: string[], params: string[] = [], extra: Record<string, unknown> = {}) => {
    const supported = profilesOf(type);
    return {
      type,
      ...(supported.length ? { supportedProfile: supported } : {}),
      interaction: interactions.map((code) => ({ code })),
      ...(params.length ? { searchParam: searchParams(params) } : {}),
      ...extra,
    };
  };
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    software: { name: 'mes-fhir sandbox', version },
    implementation: { description: 'Local test server answering like the Mon espace santé APIs (Mesures, Agenda, Documents)', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation: 'POST [base] takes a feeding Bundle (API Mesures) or a provide-document Bundle (ITI-65).',
        security: {
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
          description: `OAuth 2.0 client credentials at ${base}/oauth/token; every call carries Authorization: Bearer <token>. Pairing: POST ${base}/pairing.`,
        },
        resource: [
          resource('Observation', ['read', 'search-type'], OBSERVATION_SEARCH_PARAMETERS, { searchInclude: ['Observation:device'] }),
          resource('Device', ['read']),
          resource('Appointment', ['create', 'update', 'read', 'search-type'], APPOINTMENT_SEARCH_PARAMETERS),
          resource('DocumentReference', ['create', 'read', 'search-type'], DOCUMENT_SEARCH_PARAMETERS),
          resource('Binary', ['read']),
        ],
        interaction: [{ code: 'transaction' }],
      },
    ],
  };
}
