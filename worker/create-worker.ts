import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { createBdcMessagingActivities } from '../activities/bdc-messaging';
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
  /** for activities that message other workflows (batch operations) */
  client: Client;
  workflowBundle: WorkflowBundleWithSourceMap | { codePath: string };
  /** tracing, metrics, fault injection */
  interceptors?: WorkerOptions['interceptors'];
}

/** The one worker of the engine: the BDC lifecycle and batch workflows, the ledger's and messaging activities. */
export function createBdcWorker(options: BdcWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: { ...createLedgerActivities(options.ledger), ...createBdcMessagingActivities(options.client) },
    interceptors: options.interceptors,
    // then in-flight activities are cancelled: one waiting on a workflow this worker no longer runs
    // (a batch's update) must not hold the shutdown forever
    shutdownGraceTime: '5 seconds',
  });
}
