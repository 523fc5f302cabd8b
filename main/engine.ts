import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalCliPath } from '../temporal/binaries';
import { superviseDevServer, type SupervisedDevServer } from '../temporal/supervised-dev-server';
import { consoleCodecEndpoint } from '../temporal/dev-server';
import type { Worker } from '@temporalio/worker';
import type pino from 'pino';
import { setRetention } from '../temporal/retention';
import { installTemporalRuntime } from '../worker/runtime';
import path from 'node:path';
import { startMailSink } from '../notifications/mail-sink';
import { connect, exitOnFailure, startApi, startWorker, workerPolls } from './parts';

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

  let devServer: SupervisedDevServer | undefined;
  if (!config.TEMPORAL_ADDRESS) {
    const cli = temporalCliPath();
    if (!cli)
      throw new ConfigError(
        'no Temporal CLI under .tools/bin (scripts/provision-temporal.sh could not provide one): set TEMPORAL_ADDRESS to use a running server',
      );
    // kept running: started again on its data when it dies
    devServer = await superviseDevServer({
      cli,
      dataDir: config.DATA_DIR,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      logger,
      uiCodecEndpoint: consoleCodecEndpoint(config),
    });
  }
  const address = config.TEMPORAL_ADDRESS ?? devServer!.address;
  const connected = await connect(config, address, logger);
  if (devServer) await setRetention(connected.connection, config.TEMPORAL_NAMESPACE, config.TEMPORAL_RETENTION_DAYS);
  let worker: Worker | undefined;
  const api = await startApi(config, connected, logger, {
    temporalUiUrl: devServer?.uiUrl,
    embedded: devServer !== undefined,
    // ready once the worker polls; unhealthy while the dev server cannot be brought back
    process: { workerPolls: () => workerPolls(config, connected, worker), failure: () => devServer?.failure() },
  });
  // no SMTP server configured: a local mailbox (a real SMTP server, its messages kept in DATA_DIR/mail)
  const mailbox = config.SMTP_URL
    ? undefined
    : await startMailSink({ dir: path.join(config.DATA_DIR, 'mail'), port: config.MAIL_SINK_PORT });
  const smtpUrl = config.SMTP_URL ?? mailbox?.url;
  const startOnce = async () => {
    const started = await startWorker(config, address, connected, logger, smtpUrl);
    worker = started.worker;
    return started;
  };
  // the dev server may die while the worker starts: it is tried again once the server is back
  const first = devServer ? await untilStarted(startOnce, logger) : await startOnce();
  const lines = [
    `Temporal:        ${address}  (task queue ${config.TEMPORAL_TASK_QUEUE})`,
    `Database:        ${connected.sql.backend}`,
    ...api.lines,
  ];
  if (devServer) lines.unshift(`Temporal Web UI: ${devServer.uiUrl}`);
  if (mailbox) lines.push(`Mailbox:         ${mailbox.url}, messages in ${mailbox.dir}/new`);
  logger.info({ address, database: connected.sql.backend }, 'sons-engine running; Ctrl-C to stop');
  process.stderr.write(`\n  sons-engine is running\n  ${lines.join('\n  ')}\n\n`);

  // with a server of its own (TEMPORAL_ADDRESS), a worker's error stops the process, whose supervisor
  // (docker-compose, systemd) starts it again; on the embedded dev server, the engine is that supervisor
  if (devServer) await keepRunning(first, startOnce, logger);
  else await first.running;
  await api.stop();
  await connected.stop();
  await mailbox?.stop();
  await devServer?.stop();
  logger.info('stopped');
}

type Started = { running: Promise<void> };

/** Starts the worker, again and again while it cannot (its server away), every few seconds. */
async function untilStarted(start: () => Promise<Started>, logger: pino.Logger): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      logger.warn({ attempt, err: (err as Error).message }, 'the worker cannot start yet; trying again');
      await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * attempt)));
    }
  }
}

/**
 * The worker outlives its dev server's death: the SDK stops a worker whose server is away at the wrong
 * moment (at its start: a TransportError), so a worker that stops on an error is started again — once
 * the server is back. It stops for good when asked to (Ctrl-C, SIGTERM: `running` settles without an
 * error).
 */
async function keepRunning(first: Started, start: () => Promise<Started>, logger: pino.Logger): Promise<void> {
  for (let running = first.running; ;) {
    try {
      return await running;
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'the worker stopped on an error; starting it again');
      running = (await untilStarted(start, logger)).running;
    }
  }
}

main().catch(exitOnFailure);
