import type { MesApi } from './api.js';
import { agenda } from './agenda.js';
import { documents } from './documents.js';
import { mesures } from './mesures.js';

export type { ApiContext, CapabilityResource, MesApi } from './api.js';

/** The MES APIs the sandbox serves. Order matters for `POST [base]`: the first API that claims a transaction Bundle takes it (Mesures takes the rest). */
export const APIS: readonly MesApi[] = [documents, agenda, mesures];
