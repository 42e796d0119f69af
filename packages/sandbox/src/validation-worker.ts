/**
 * A worker thread of the sandbox's validation: loads the same definitions as the sandbox, then
 * answers each request with the issues of a resource against a profile.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { ProjectIndexOptions } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';

const validator = await Validator.load({ ...(workerData as ProjectIndexOptions), logger: {} });
parentPort!.on('message', (request: { id: number; bytes: Uint8Array; profile: string }) => {
  const resource: unknown = deserialize(request.bytes);
  parentPort!.postMessage({ id: request.id, issues: validator.validateToIssues(resource, { profile: request.profile }) });
});
parentPort!.postMessage({ ready: true });
