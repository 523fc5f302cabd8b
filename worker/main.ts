import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger, temporalLogger } from '../config/logger';
import { Ledger } from '../db/ledger';
import { openDatabase } from '../db/open';
import { bundleWorkflows, createBdcWorker } from './create-worker';
import { startDevServer, type DevServer } from './dev-server';
import { registerSearchAttributes } from './register-search-attributes';
import { installTemporalRuntime } from './runtime';
import { temporalCliPath } from './temporal-binaries';

/**
 * `npm start`: the engine on its embedded defaults (a persisted Temporal dev server, PGlite), or on
 * the servers TEMPORAL_ADDRESS and DATABASE_URL name. Ctrl-C stops every part cleanly.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger.child({ component: 'temporal' }));

  let devServer: DevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cli = temporalCliPath();
    if (!cli) throw new ConfigError('no Temporal CLI under .tools/bin (scripts/provision-temporal.sh could not provide one): set TEMPORAL_ADDRESS to use a running server');
    devServer = await startDevServer({ cli, dataDir: config.DATA_DIR, port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT, logger });
  }
  const address = config.TEMPORAL_ADDRESS ?? devServer!.address;

  const clientConnection = await Connection.connect({ address });
  const added = await registerSearchAttributes(clientConnection, config.TEMPORAL_NAMESPACE);
  if (added.length) logger.info({ added }, 'search attributes registered');
  await clientConnection.close();

  const sql = await openDatabase(config);
  const workflowBundle = await bundleWorkflows(temporalLogger(logger.child({ component: 'bundler' })));
  const connection = await NativeConnection.connect({ address });
  const worker = await createBdcWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, ledger: new Ledger(sql), workflowBundle });

  const urls = { temporal: address, webUi: devServer?.uiUrl ?? '(the server at TEMPORAL_ADDRESS has its own UI)', database: sql.backend, taskQueue: config.TEMPORAL_TASK_QUEUE };
  logger.info(urls, 'sons-engine running; Ctrl-C to stop');
  process.stderr.write(`\n  sons-engine is running\n  Temporal Web UI: ${urls.webUi}\n  Temporal:        ${address}  (task queue ${urls.taskQueue})\n  Ledger:          ${sql.backend}\n\n`);

  // The Runtime already shuts the worker down on SIGINT/SIGTERM; once it has, the rest follows.
  await worker.run();
  await connection.close();
  await sql.close();
  await devServer?.stop();
  logger.info('stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
