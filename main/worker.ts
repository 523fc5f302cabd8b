import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { installTemporalRuntime } from '../worker/runtime';
import { connect, exitOnFailure, startWorker } from './parts';

/** The worker alone (docker-compose's `worker` service): TEMPORAL_ADDRESS and DATABASE_URL name its servers. */
async function main(): Promise<void> {
  process.umask(0o077);
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS)
    throw new ConfigError(
      'TEMPORAL_ADDRESS: the worker alone needs a running Temporal server (npm start runs a dev server)',
    );
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger.child({ component: 'temporal' }), config.WORKER_METRICS_ADDRESS);
  const connected = await connect(config, config.TEMPORAL_ADDRESS, logger);
  logger.info({ address: config.TEMPORAL_ADDRESS, database: connected.sql.backend }, 'worker running');
  const worker = await startWorker(config, config.TEMPORAL_ADDRESS, connected, logger);
  await worker.running;
  await connected.stop();
  logger.info('stopped');
}

main().catch(exitOnFailure);
