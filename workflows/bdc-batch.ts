import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BatchActivities } from '../activities/batch';
import { batchProgress, type BatchInput, type BatchProgressCounts } from '../contract/batch';

const activities = proxyActivities<BatchActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * Sends one event to every BDC a selector finds in the record (a calendar amendment, a solution's
 * référencement decision): page after page, a page's BDCs in parallel, durable and resumable, its
 * progress in the record; continued as new well before the history grows large.
 */
export async function bdcBatch(input: BatchInput): Promise<BatchProgressCounts> {
  const { batchId, selector, pageSize } = input;
  const progress: BatchProgressCounts = input.resume?.progress ?? {
    total: 0,
    applied: 0,
    skipped: 0,
    failed: 0,
    done: false,
  };
  setHandler(batchProgress, () => progress);
  if (!input.resume)
    progress.total = await activities.beginBatch({ batchId, kind: input.kind, params: input.params, selector });
  let after = input.resume?.after ?? '';
  for (let page = 0; ; page++) {
    if (page >= input.pagesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(() => true);
      return continueAsNew<typeof bdcBatch>({ ...input, resume: { after, progress } });
    }
    const bdcIds = await activities.batchPage({ selector, after, limit: pageSize });
    if (!bdcIds.length) break;
    const counts = await activities.deliverBatch({
      batchId,
      bdcIds,
      event: input.event,
      parallel: input.parallel,
      attempts: input.attempts,
    });
    progress.applied += counts.applied;
    progress.skipped += counts.skipped;
    progress.failed += counts.failed;
    after = bdcIds.at(-1)!;
  }
  await activities.finishBatch(batchId);
  progress.done = true;
  return progress;
}
