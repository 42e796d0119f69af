/**
 * A worker thread of the sandbox's validation: loads the same definitions as the sandbox, then
 * answers each request with the issues of a resource against a profile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ProjectIndexOptions } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';

const validator = await Validator.load({ ...(workerData as ProjectIndexOptions), logger: {} });
parentPort!.on('message', (request: { id: number; resource: unknown; profile: string }) => {
  parentPort!.postMessage({ id: request.id, issues: validator.validateToIssues(request.resource, { profile: request.profile }) });
});
parentPort!.postMessage({ ready: true });
