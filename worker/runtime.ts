import { Runtime } from '@temporalio/worker';
import type pino from 'pino';
import { temporalLogger } from '../config/logger';

/**
 * Routes every log of the SDK into pino: the TypeScript side (worker, workflow and activity loggers,
 * with their workflowId/runId/activity bindings) and the native Core, forwarded at WARN and above.
 * With a metrics address (WORKER_METRICS_ADDRESS), the SDK's worker metrics (task slots, poll and
 * schedule-to-start latencies, sticky cache, activity and workflow task failures) are served there
 * as Prometheus text, prefixed temporal_.
 */
export function installTemporalRuntime(logger: pino.Logger, metricsAddress?: string): void {
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
