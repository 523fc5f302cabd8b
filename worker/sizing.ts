import type { WorkerOptions } from '@temporalio/worker';

/**
 * What one open BDC costs the worker: the cache of workflows is sized from the memory the worker may
 * use, so that the process never outgrows its container. Measured by `npm run bench:scale -- --topology`
 * (issue 26), two workers at the default budget of 1,024 MiB (360 MiB idle each): 5,000 BDCs open and
 * all cached (2,500 a worker) made 1,623 MiB a worker, 517 KiB a BDC; 10,000 open after a calendar
 * amendment of the first 5,000 (the cache full at 3,145 a worker) made 2,770 MiB, 766 KiB a BDC — not the
 * 200 KiB measured on a bare lifecycle before four eyes, and 1,750 MiB over the budget. The larger figure
 * holds: a BDC's record and audit trail grow with its life. Update it when the bench says otherwise.
 */
export const KIB_PER_OPEN_BDC = 768;

/** The part of the budget the cache of open BDCs may take: the rest is the runtime, the API, the database driver. */
const CACHE_SHARE = 0.6;

export interface WorkerBudget {
  /** MiB the worker's process may use (its container's limit, less a margin) */
  memoryMiB: number;
  /** connections of the database pool: activities beyond that would only queue for one */
  databaseConnections: number;
}

/** The worker's cache and concurrency from its memory budget. */
export function workerSizing({
  memoryMiB,
  databaseConnections,
}: WorkerBudget): Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
> {
  return {
    maxCachedWorkflows: Math.max(100, Math.floor((memoryMiB * 1024 * CACHE_SHARE) / KIB_PER_OPEN_BDC)),
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: databaseConnections * 2,
    maxConcurrentLocalActivityExecutions: 20,
  };
}
