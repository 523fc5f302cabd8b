import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalCliPath } from '../temporal/binaries';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { setRetention } from '../temporal/retention';
import { installTemporalRuntime } from '../worker/runtime';
import path from 'node:path';
import { startMailSink } from '../notifications/mail-sink';
import { connect, exitOnFailure, startApi, startWorker } from './parts';

/**
 * `npm start`: the whole engine in one process on its embedded defaults — a persisted Temporal dev
 * server (unless TEMPORAL_ADDRESS names one), the database (PGlite unless DATABASE_URL), the worker and
 * the HTTP API. Ctrl-C stops the API and the worker, then the server.
 */
async function main(): Promise<void> {
  // what the engine and its dev server write (VAs, invoices, tokens) is for this user alone
  process.umask(0o077);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger.child({ component: 'temporal' }), config.WORKER_METRICS_ADDRESS);

  let devServer: DevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cli = temporalCliPath();
    if (!cli)
      throw new ConfigError(
        'no Temporal CLI under .tools/bin (scripts/provision-temporal.sh could not provide one): set TEMPORAL_ADDRESS to use a running server',
      );
    devServer = await startDevServer({
      cli,
      dataDir: config.DATA_DIR,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      logger,
    });
  }
  const address = config.TEMPORAL_ADDRESS ?? devServer!.address;
  const connected = await connect(config, address, logger);
  if (devServer) await setRetention(connected.connection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_RETENTION_DAYS);
  const api = await startApi(config, connected, logger, { temporalUiUrl: devServer?.uiUrl });
  // no SMTP server configured: a local mailbox (a real SMTP server, its messages kept in DATA_DIR/mail)
  const mailbox = config.SMTP_URL
    ? undefined
    : await startMailSink({ dir: path.join(config.DATA_DIR, 'mail'), port: config.MAIL_SINK_PORT });
  const worker = await startWorker(config, address, connected, logger, config.SMTP_URL ?? mailbox?.url);

  const lines = [
    `Temporal:        ${address}  (task queue ${config.TEMPORAL_TASK_QUEUE})`,
    `Database:        ${connected.sql.backend}`,
    ...api.lines,
  ];
  if (devServer) lines.unshift(`Temporal Web UI: ${devServer.uiUrl}`);
  if (mailbox) lines.push(`Mailbox:         ${mailbox.url}, messages in ${mailbox.dir}/new`);
  logger.info({ address, database: connected.sql.backend }, 'sons-engine running; Ctrl-C to stop');
  process.stderr.write(`\n  sons-engine is running\n  ${lines.join('\n  ')}\n\n`);

  await worker.running;
  await api.stop();
  await connected.stop();
  await mailbox?.stop();
  await devServer?.stop();
  logger.info('stopped');
}

main().catch(exitOnFailure);
