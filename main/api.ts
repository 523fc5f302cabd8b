import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { installTemporalRuntime } from '../worker/runtime';
import { connect, exitOnFailure, startApi, untilSignal } from './parts';

/** The HTTP API alone (docker-compose's `api` service): TEMPORAL_ADDRESS and DATABASE_URL name its servers. */
async function main(): Promise<void> {
  process.umask(0o077);
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS)
    throw new ConfigError(
      'TEMPORAL_ADDRESS: the API alone needs a running Temporal server (npm start runs a dev server)',
    );
  const logger = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(logger.child({ component: 'temporal' }));
  const connected = await connect(config, config.TEMPORAL_ADDRESS, logger);
  const api = await startApi(config, connected, logger);
  logger.info({ address: config.TEMPORAL_ADDRESS, database: connected.sql.backend }, 'API running');
  await untilSignal();
  await api.stop();
  await connected.stop();
  logger.info('stopped');
}

main().catch(exitOnFailure);
