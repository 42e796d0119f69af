/**
 * A worker thread of the sandbox's validation: loads the same definitions as the sandbox, then
 * answers each request with the issues of a resource against a profile. Given the database, it
 * also serves the sandbox's routes, for the requests the event loop hands over whole (their body
 * is large: see validation-workers.ts); there it validates on its own thread.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { Validator } from '@mes-fhir/validator';
import type { FastifyInstance } from 'fastify';
import { connectDatabase } from './database.js';
import { Recorder } from './grading/recorder.js';
import { buildServer } from './server.js';
import { TokenService } from './tokens.js';
import { inProcess } from './validation.js';
import type { ValidationWorkerData, ValidationWorkerReply, WholeRequest, WholeResponse } from './validation-workers.js';

/** Headers of one connection, not of the answer: the event loop's own connection sets them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

const { load, requests } = workerData as ValidationWorkerData;
const validator = await Validator.load({ ...load, logger: {} });
let recorder: Recorder | undefined;
let server: FastifyInstance | undefined;
if (requests) {
  const db = await connectDatabase(requests.database);
  const tokens = await TokenService.open(db, requests.apps, requests.tokenLifetime);
  recorder = requests.record ? new Recorder(db, requests.record === true ? {} : requests.record) : undefined;
  server = await buildServer(db, validator, tokens, { bodyLimit: requests.bodyLimit, version: requests.version, recorder }, inProcess(validator));
}

const reply = (message: ValidationWorkerReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

parentPort!.on('message', (job: { id: number; bytes: Uint8Array; profile?: string; request?: Omit<WholeRequest, 'body'> }) => {
  if (job.request) {
    handle(job.request, job.bytes).then(
      (response) => reply({ id: job.id, response }, [response.body.buffer as ArrayBuffer]),
      (e: Error) => reply({ id: job.id, error: e.message }),
    );
    return;
  }
  const resource: unknown = deserialize(job.bytes);
  reply({ id: job.id, issues: validator.validateToIssues(resource, { profile: job.profile! }) });
});
parentPort!.postMessage({ ready: true });

/** The request, through the same routes as on the event loop; the answer's bytes in an ArrayBuffer of their own. */
async function handle(request: Omit<WholeRequest, 'body'>, body: Uint8Array): Promise<WholeResponse> {
  if (!server) throw new Error('this thread was not given the database');
  if (request.record) recorder?.start();
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([k, v]) => v !== undefined && !HOP_BY_HOP.has(k))) as Record<
    string,
    string | string[]
  >;
  const res = await server.inject({
    method: request.method as 'POST',
    url: request.url,
    headers,
    payload: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
  });
  return {
    status: res.statusCode,
    headers: Object.fromEntries(Object.entries(res.headers).filter(([k]) => !HOP_BY_HOP.has(k))),
    body: new Uint8Array(res.rawPayload),
  };
}
