import type { WorkerOptions } from '@temporalio/worker';

/**
 * What one open BDC costs the worker, measured by `npm run bench` (rssPerOpenKiB, project side, rounded
 * up): the cache of workflows is sized from the memory the worker may use, so that the process never
 * outgrows its container. Update it when the bench says otherwise.
 */
export const KIB_PER_OPEN_BDC = 200;

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
