export { startSandbox, buildServer, type Sandbox, type SandboxOptions } from './server.js';
export { openDatabase, migrationFiles, type Database, type Queryable } from './database.js';
export { checkApps, DEMO_APP, type SandboxApp } from './apps.js';
export { feedingRuleIssues } from './mesures.js';
export { readConfig, CONFIG_FILE, type SandboxConfig } from './seed.js';
export { TokenService } from './tokens.js';
export { ValidationWorkers, type ValidationWorkersOptions } from './validation-workers.js';
export { inProcess, type Validation } from './validation.js';
