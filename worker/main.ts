import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadCampaigns } from '../config/campaigns';
import { ConfigError, loadConfig, type Config } from '../config/env';
import { createLogger, temporalLogger } from '../config/logger';
import { FinessReference } from '../db/finess';
import { Ledger } from '../db/ledger';
import { openDatabase } from '../db/open';
import { loadTokens, newToken, TokenRegistry, type TokenEntry } from '../client/api/auth';
import { buildApi } from '../client/api/server';
import { bundleWorkflows, createBdcWorker } from './create-worker';
import { startDevServer, type DevServer } from './dev-server';
import { registerSearchAttributes } from './register-search-attributes';
import { installTemporalRuntime } from './runtime';
import { temporalCliPath } from './temporal-binaries';

/**
 * On the embedded default with no tokens configured, one token per role is made for the local user
 * and the demo: hashes in DATA_DIR/api-tokens.json, the secrets beside them in dev-credentials.json.
 */
function tokensFor(config: Config): { entries: TokenEntry[]; credentialsFile?: string } {
  const file = config.API_TOKENS_FILE ?? path.join(config.DATA_DIR, 'api-tokens.json');
  if (config.API_TOKENS || fs.existsSync(file)) return { entries: loadTokens({ API_TOKENS: config.API_TOKENS, API_TOKENS_FILE: file }) };
  if (config.API_TOKENS_FILE) throw new ConfigError(`API_TOKENS_FILE: ${file} does not exist`);
  const made = [
    newToken({ name: 'local-operator', role: 'operator' }),
    newToken({ name: 'local-admin', role: 'admin' }),
    newToken({ name: 'demo-editeur', role: 'editeur', editeurId: 'editeur-demo' }),
  ];
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(made.map((m) => m.entry), null, 2));
  const credentialsFile = path.join(config.DATA_DIR, 'dev-credentials.json');
  fs.writeFileSync(credentialsFile, JSON.stringify(Object.fromEntries(made.map((m) => [m.entry.role, m.secret])), null, 2), { mode: 0o600 });
  return { entries: made.map((m) => m.entry), credentialsFile };
}

/**
 * `npm start`: the engine on its embedded defaults (a persisted Temporal dev server, PGlite), or on
 * the servers TEMPORAL_ADDRESS and DATABASE_URL name. SONS_ROLES chooses worker, API or both.
 * Ctrl-C stops every part cleanly.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger.child({ component: 'temporal' }));
  const campaigns = loadCampaigns(config);

  let devServer: DevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cli = temporalCliPath();
    if (!cli) throw new ConfigError('no Temporal CLI under .tools/bin (scripts/provision-temporal.sh could not provide one): set TEMPORAL_ADDRESS to use a running server');
    devServer = await startDevServer({ cli, dataDir: config.DATA_DIR, port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT, logger });
  }
  const address = config.TEMPORAL_ADDRESS ?? devServer!.address;

  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const added = await registerSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
  if (added.length) logger.info({ added }, 'search attributes registered');
  const sql = await openDatabase(config);
  const ledger = new Ledger(sql);

  const lines = [`Temporal:        ${address}  (task queue ${config.TEMPORAL_TASK_QUEUE})`, `Ledger:          ${sql.backend}`];
  if (devServer) lines.unshift(`Temporal Web UI: ${devServer.uiUrl}`);

  let stopApi = async () => undefined as void;
  if (config.SONS_ROLES.includes('api')) {
    const { entries, credentialsFile } = tokensFor(config);
    const api = await buildApi({ client, ledger, finess: new FinessReference(sql), campaigns, taskQueue: config.TEMPORAL_TASK_QUEUE, tokens: new TokenRegistry(entries), logger: logger.child({ component: 'api' }) });
    const url = await api.listen({ host: config.API_HOST, port: config.API_PORT });
    stopApi = () => api.close();
    lines.push(`API:             ${url}  (docs ${url}/docs)`);
    if (credentialsFile) lines.push(`API tokens:      ${credentialsFile} (made for this machine)`);
  }

  let run: Promise<void> = new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => resolve())));
  let connection: NativeConnection | undefined;
  if (config.SONS_ROLES.includes('worker')) {
    const workflowBundle = await bundleWorkflows(temporalLogger(logger.child({ component: 'bundler' })));
    connection = await NativeConnection.connect({ address });
    const worker = await createBdcWorker({ connection, client, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, ledger, workflowBundle });
    // the Runtime shuts the worker down on SIGINT/SIGTERM; the rest follows once it has
    run = worker.run();
  }
  logger.info({ roles: config.SONS_ROLES, address, database: sql.backend }, 'sons-engine running; Ctrl-C to stop');
  process.stderr.write(`\n  sons-engine is running (${config.SONS_ROLES.join(' + ')})\n  ${lines.join('\n  ')}\n\n`);

  await run;
  await stopApi();
  await connection?.close();
  await clientConnection.close();
  await sql.close();
  await devServer?.stop();
  logger.info('stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
