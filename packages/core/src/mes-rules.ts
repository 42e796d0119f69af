/**
 * What Mon espace santé answers when a request breaks one of its rules: the words of its HTTP 422
 * OperationOutcome. Shared by the sandbox, which answers them, and the client, which recognises them.
 */
import type { IssueCode } from './issue.js';

/**
 * MES's answers to a feeding Bundle that breaks its rules: message id, MES's words (HTTP 422) and,
 * where a profile invariant states the same rule, its key (the validator's failure of it is then
 * not repeated).
 */
export const MES_MESURES_RULES = {
  'mes-observation-meta-profile': { code: 'required', text: 'Observation must provide meta.profile value' },
  'mes-bmi-not-creatable': { code: 'business-rule', text: 'Bmi observation cannot be created', key: 'mes-fb-no-bmi' },
  'mes-subject-identifier-mandatory': { code: 'required', text: 'Observation.subject.identifier is mandatory' },
  'mes-value-quantity-missing': { code: 'required', text: 'Observation value quantity not provided' },
  'mes-device-reference-mandatory': { code: 'required', text: 'Observation.device.reference is mandatory', key: 'mes-fb-device-ref' },
  'mes-device-not-linked': { code: 'business-rule', text: 'Observation and device not linked by id', key: 'mes-fb-device-link' },
  'mes-moment-mandatory': { code: 'required', text: 'Observation.extension.moment is mandatory', key: 'mes-glu-moment' },
  // the opposite sides of the two rules: MES's wording of them is not published, these follow its pattern
  'mes-moment-forbidden': { code: 'business-rule', text: 'Observation.extension.moment cannot be added', key: 'mes-glu-moment-other' },
  'mes-number-of-days-mandatory': { code: 'required', text: 'Observation.extension.numberOfDays is mandatory', key: 'mes-glu-days-required' },
  'mes-number-of-days-forbidden': { code: 'business-rule', text: 'Observation.extension.numberOfDays cannot be added', key: 'mes-glu-days' },
  'mes-source-not-app-oid': { code: 'business-rule', text: 'Observation.meta.source must be urn:oid:<OID> under the OID of the application' },
  'mes-if-none-exist-invalid': { code: 'business-rule', text: 'Device request must have a valid IfNoneExist attribute', key: 'mes-fb-if-none-exist' },
  'mes-device-meta-profile': { code: 'required', text: 'Device must provide meta.profile value', key: 'mes-fb-device-profile' },
} as const satisfies Record<string, { code: IssueCode; text: string; key?: string }>;

export type MesMesuresRuleId = keyof typeof MES_MESURES_RULES;

/** The MES rule an answer's message states (MES's words, possibly followed by a detail), if one does. */
export function mesRuleOf(message: string): MesMesuresRuleId | undefined {
  for (const [id, rule] of Object.entries(MES_MESURES_RULES)) if (message.startsWith(rule.text)) return id as MesMesuresRuleId;
  return undefined;
}
