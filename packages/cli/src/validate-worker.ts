/**
 * A worker thread of `mes-fhir validate --workers`: loads the same definitions as the command,
 * then validates the batches it is sent and returns their printed results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadProjectIndex, type ResourceLayer } from '@mes-fhir/fhir-packages';
import { Validator, type ValidatorSettings } from '@mes-fhir/validator';
import { checkInput, type CheckSettings, type Input } from './validate-core.js';

export interface WorkerSetup {
  project?: string;
  generated?: string;
  extraLayers: ResourceLayer[];
  profile?: string;
  cdaFiles: Array<{ name: string; bytes: Uint8Array }>;
  settings: CheckSettings;
  validatorSettings: ValidatorSettings;
  env: Record<string, string | undefined>;
}

const setup = workerData as WorkerSetup;
const { index } = await loadProjectIndex({ projectDir: setup.project, generatedDir: setup.generated, extraLayers: setup.extraLayers, env: setup.env });
const validator = new Validator(index, ['generated', ...setup.extraLayers.map((l) => l.label)], setup.validatorSettings);
const attachment = (url: string | undefined) =>
  setup.cdaFiles.length === 1 ? setup.cdaFiles[0]!.bytes : url ? setup.cdaFiles.find((f) => url.endsWith(f.name))?.bytes : undefined;
const options = { profile: setup.profile, resolveAttachment: setup.cdaFiles.length ? (a: { url?: string }) => attachment(a.url) : undefined };

parentPort!.on('message', (batch: { seq: number; inputs: Input[] }) => {
  parentPort!.postMessage({ seq: batch.seq, results: batch.inputs.map((input) => checkInput(validator, input, options, setup.settings)) });
});
parentPort!.postMessage({ ready: true });
