import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import { createLedgerActivities } from '../activities/ledger';
import type { Ledger } from '../db/ledger';

export const workflowsPath = require.resolve('../workflows');

/** Webpack-bundles the workflow code once; tests and `npm start` reuse the result. */
export function bundleWorkflows(logger: Logger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger });
}

export interface BdcWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  ledger: Ledger;
  workflowBundle: WorkflowBundleWithSourceMap | { codePath: string };
  /** tracing, metrics, fault injection */
  interceptors?: WorkerOptions['interceptors'];
}

/** The one worker of the engine: the BDC lifecycle workflow and the ledger's activities. */
export function createBdcWorker(options: BdcWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: createLedgerActivities(options.ledger),
    interceptors: options.interceptors,
  });
}
