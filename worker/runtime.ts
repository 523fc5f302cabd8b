import { Runtime } from '@temporalio/worker';
import type pino from 'pino';
import { temporalLogger } from '../config/logger';

/**
 * Routes every log of the SDK into pino: the TypeScript side (worker, workflow and activity loggers,
 * with their workflowId/runId/activity bindings) and the native Core, forwarded at WARN and above.
 */
export function installTemporalRuntime(logger: pino.Logger): void {
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
