export { startSandbox, buildServer, type Sandbox, type SandboxOptions } from './server.js';
export { openDatabase, migrationFiles, type Database, type Queryable } from './database.js';
export { checkApps, DEMO_APP, type SandboxApp } from './apps.js';
export { feedingRuleIssues } from './apis/mesures.js';
export { APIS, type MesApi, type ApiContext, type CapabilityResource } from './apis/index.js';
export { readConfig, CONFIG_FILE, type SandboxConfig } from './seed.js';
export { TokenService } from './tokens.js';
export { ValidationWorkers, DEFAULT_VALIDATION_WORKERS, type ValidationWorkersOptions } from './validation-workers.js';
export { inProcess, type Validation } from './validation.js';
