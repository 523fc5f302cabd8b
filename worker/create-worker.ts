import fs from 'node:fs';
import path from 'node:path';
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { createBatchActivities } from '../activities/batch';
import { createRecordActivities } from '../activities/record';
import { createNoticeActivities } from '../activities/notices';
import type { Campaign } from '../domain/campaign';
import { Batches } from '../db/batches';
import { RecordQueries } from '../db/record-queries';
import type { Sql } from '../db/sql';
import { workerSizing, type WorkerBudget } from './sizing';

const workflowsPath = require.resolve('../workflows');

/** Where `npm run build` leaves the workflow bundle (dist/workflow-bundle.js), next to the compiled worker. */
export const builtBundlePath = path.resolve(__dirname, '..', 'workflow-bundle.js');

/** Webpack-bundles the workflow code: once, at build time (and once per test run). */
export function bundleWorkflows(logger: Logger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger });
}

/** The bundle `npm run build` made; running from sources (no build), one made now. */
export async function workflowBundle(logger: Logger): Promise<{ codePath: string } | WorkflowBundleWithSourceMap> {
  return fs.existsSync(builtBundlePath) ? { codePath: builtBundlePath } : bundleWorkflows(logger);
}

export interface BdcWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** the database the record and the ledger live in */
  sql: Sql;
  /** for activities that message other workflows (batch operations) */
  client: Client;
  workflowBundle: WorkflowBundleWithSourceMap | { codePath: string };
  /** tracing, metrics, fault injection */
  interceptors?: WorkerOptions['interceptors'];
  /** the payload codec (encryption) shared with the engine's clients */
  dataConverter?: WorkerOptions['dataConverter'];
  /** the memory and connections it may use; its cache and concurrency follow (worker/sizing.ts) */
  budget?: WorkerBudget;
  /** the campaigns as new BDCs see them (configured, added, amended): the daily notices remind their order deadlines */
  campaigns?: () => Promise<Campaign[]>;
}

/**
 * The one worker of the engine: the BDC lifecycle, batch, control and daily notices workflows; the
 * record's activities (each transition of a BDC or a control with its effects), the batches' and the
 * notices'.
 */
export function createBdcWorker(options: BdcWorkerOptions): Promise<Worker> {
  const { sql, client } = options;
  const queries = new RecordQueries(sql);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: {
      ...createRecordActivities(sql),
      ...createBatchActivities(client, queries, new Batches(sql)),
      ...createNoticeActivities(sql, options.campaigns ?? (async () => [])),
    },
    interceptors: options.interceptors,
    dataConverter: options.dataConverter,
    ...workerSizing(options.budget ?? { memoryMiB: 1024, databaseConnections: 10 }),
    // then in-flight activities are cancelled: one waiting on a workflow this worker no longer runs
    // (a batch's update) must not hold the shutdown forever
    shutdownGraceTime: '5 seconds',
  });
}
