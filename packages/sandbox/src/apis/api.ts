/**
 * One Mon espace santé API as the sandbox serves it (Mesures, Agenda, Documents): its routes, the
 * transaction Bundles it takes at `POST [base]`, its part of the CapabilityStatement, the seed
 * files it loads and the test scenarios that grade an app's use of it. server.ts registers the list in apis/index.ts; a new API is one module here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Json } from '@mes-fhir/core';
import type { Validator } from '@mes-fhir/validator';
import type { SandboxApp } from '../apps.js';
import type { Database } from '../database.js';
import type { Validation } from '../validation.js';
import type { Scenario } from '../grading/scenario.js';

/** What an API's routes are given. */
export interface ApiContext {
  db: Database;
  validation: Validation;
  /** `http(s)://host` of the request. */
  base(req: FastifyRequest): string;
  /** The app of an authenticated request. */
  appOf(req: FastifyRequest): SandboxApp;
  /** Sends a FHIR JSON body. */
  send(reply: FastifyReply, status: number, body: unknown): FastifyReply;
  /** `GET /<type>/:id` of a resource the app may read, as it sees it (its own idPe), with ETag and Last-Modified. */
  read(type: string, present?: (r: Json, req: FastifyRequest) => Json): void;
  /** Answers a created or updated resource with Location and ETag. */
  created(reply: FastifyReply, r: { type: string; id: string; version: number; content: Json }, status: number, req: FastifyRequest): FastifyReply;
}

/** One resource of the CapabilityStatement. */
export interface CapabilityResource {
  type: string;
  /** The profiles a request must claim (meta.profile) or is validated against: exactly what the routes accept. */
  supportedProfile: string[];
  interaction: string[];
  searchParam?: string[];
  searchInclude?: string[];
}

export interface MesApi {
  name: string;
  /** Its resources in the CapabilityStatement (the definitions in use give the profiles). */
  capability(validator: Validator): CapabilityResource[];
  /** Whether a transaction Bundle posted to `[base]` is this API's, and its answer to it. */
  transaction?: {
    claims(bundle: Json): boolean;
    accept(ctx: ApiContext, app: SandboxApp, bundle: Json, base: string): Promise<Json>;
  };
  /** Resource types a seed file of this API may hold (sent as `POST /<type>`, a Bundle as `POST /`). */
  seedTypes: string[];
  /** The MES test scenarios of this API, as the report proves them from recorded exchanges. */
  scenarios(validator: Validator): Scenario[];
  /** Its routes, inside the authenticated scope. */
  routes(fhir: FastifyInstance, ctx: ApiContext): void;
}
