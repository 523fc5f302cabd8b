import { say } from '../domain/messages';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { refuse } from '../domain/refusal';
import { Batches, type BatchProgress } from '../db/batches';
import { BATCH_WORKFLOW_TYPE, type BatchInput, type BdcBatchWorkflow } from '../contract/batch';
import type { EngineContext } from './context';

/** How batches run: BDCs per page, at once within a page, tries per BDC, pages per run. Tests shrink them. */
export const batchSettings = { pageSize: 200, parallel: 20, attempts: 5, pagesPerRun: 250 };

/**
 * Starts a batch (its id is its business key: asking again finds the same batch, running or done).
 * Its row is written first, so that the id the caller is answered is readable at once.
 */
export async function startBatch(
  ctx: EngineContext,
  input: Omit<BatchInput, keyof typeof batchSettings>,
  summary: string,
): Promise<string> {
  await new Batches(ctx.sql).announce(input.batchId, input.kind, input.params);
  await ctx.client.workflow
    .start<BdcBatchWorkflow>(BATCH_WORKFLOW_TYPE, {
      workflowId: input.batchId,
      taskQueue: ctx.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ ...input, ...batchSettings }],
      staticSummary: summary,
    })
    .catch((err: unknown) => {
      // done already: the same batch, nothing to start again
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  return input.batchId;
}

/** A batch's progress and its BDCs that were skipped or failed, from the record. */
export async function batchProgress(ctx: EngineContext, batchId: string): Promise<BatchProgress> {
  const progress = await new Batches(ctx.sql).progress(batchId);
  if (!progress) throw refuse('not_found', say('unknown_batch', { batchId }), 'batchId', batchId);
  return progress;
}
