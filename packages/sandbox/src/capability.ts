import type { Validator } from '@mes-fhir/validator';
import type { CapabilityResource, MesApi } from './apis/index.js';

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
 * The sandbox's CapabilityStatement, made from the APIs it serves: each resource with exactly the
 * profiles its routes accept (from the definitions in use), its interactions and its search
 * parameters; a type two APIs serve (Bundle) is one entry with both.
 */
export function capabilityStatement(validator: Validator, apis: readonly MesApi[], base: string, version: string): Record<string, unknown> {
  const byType = new Map<string, CapabilityResource>();
  for (const r of apis.flatMap((api) => api.capability(validator))) {
    const known = byType.get(r.type);
    if (!known) byType.set(r.type, { ...r, supportedProfile: [...r.supportedProfile], interaction: [...r.interaction] });
    else {
      known.supportedProfile.push(...r.supportedProfile.filter((p) => !known.supportedProfile.includes(p)));
      known.interaction.push(...r.interaction.filter((i) => !known.interaction.includes(i)));
    }
  }
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    software: { name: 'mes-fhir sandbox', version },
    implementation: { description: `Local test server answering like the Mon espace santé APIs (${apis.map((a) => a.name).join(', ')})`, url: base },
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
        resource: [...byType.values()].map((r) => ({
          type: r.type,
          ...(r.supportedProfile.length ? { supportedProfile: r.supportedProfile } : {}),
          ...(r.interaction.length ? { interaction: r.interaction.map((code) => ({ code })) } : {}),
          ...(r.searchParam?.length ? { searchParam: searchParams(r.searchParam) } : {}),
          ...(r.searchInclude ? { searchInclude: r.searchInclude } : {}),
        })),
        interaction: [{ code: 'transaction' }],
      },
    ],
  };
}
