import { Context, heartbeat, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { batchEventId } from '../domain/ids';
import { RefusedError } from '../domain/refusal';
import { Batches, type BatchOutcome } from '../db/batches';
import type { RecordQueries } from '../db/record-queries';
import type { BatchEvent, BatchSelector } from '../contract/batch';
import { sendBdcEvent } from '../temporal/bdc-gateway';
import { bdcMessages } from '../contract/bdc';

/**
 * The activities of batches: pages of BDCs from the record, and the delivery of one page's events
 * with bounded parallelism, each BDC tried a bounded number of times before it is reported as failed.
 */
export function createBatchActivities(client: Client, queries: RecordQueries, batches: Batches) {
  return {
    async beginBatch({
      batchId,
      kind,
      params,
      selector,
    }: {
      batchId: string;
      kind: string;
      params: unknown;
      selector: BatchSelector;
    }): Promise<number> {
      const total = await queries.batchCount(selector);
      await batches.begin(batchId, kind, params, total);
      return total;
    },

    async batchPage({
      selector,
      after,
      limit,
    }: {
      selector: BatchSelector;
      after: string;
      limit: number;
    }): Promise<string[]> {
      return queries.batchPage(selector, after, limit);
    },

    /**
     * Sends a page's event to each of its BDCs, under an id of the batch's own scope (no caller can
     * send it first). A BDC holds the event when it answered it — then it is applied; it refused it
     * (ended meanwhile…): skipped; it never answered within the attempts: failed.
     */
    async deliverBatch({
      batchId,
      bdcIds,
      event,
      parallel,
      attempts,
    }: {
      batchId: string;
      bdcIds: string[];
      event: BatchEvent;
      parallel: number;
      attempts: number;
    }): Promise<Record<BatchOutcome, number>> {
      const limit = pLimit(parallel);
      const counts: Record<BatchOutcome, number> = { applied: 0, skipped: 0, failed: 0 };
      const outcomes: { bdcId: string; outcome: BatchOutcome; reason?: string }[] = [];
      await Promise.all(
        bdcIds.map((bdcId) =>
          limit(async () => {
            const result = await deliverOne(
              client,
              bdcId,
              { ...event.payload, eventId: batchEventId(batchId, bdcId) },
              event.update,
              attempts,
            );
            counts[result.outcome]++;
            outcomes.push({ bdcId, ...result });
            heartbeat(outcomes.length);
          }),
        ),
      );
      await batches.record(batchId, outcomes);
      if (counts.failed)
        log.warn('batch: some BDCs kept failing', { batchId, failed: outcomes.filter((o) => o.outcome === 'failed') });
      return counts;
    },

    async finishBatch(batchId: string): Promise<void> {
      await batches.finish(batchId);
    },
  };
}

/** One BDC's delivery: a refusal is an answer; anything else is tried again, up to `attempts` times. */
async function deliverOne(
  client: Client,
  bdcId: string,
  event: Record<string, unknown> & { eventId: string },
  update: BatchEvent['update'],
  attempts: number,
): Promise<{ outcome: BatchOutcome; reason?: string }> {
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      // the update needs a worker to run the BDC's workflow task; when this worker shuts down, the
      // activity is cancelled after the grace time rather than waiting for itself
      await Promise.race([
        sendBdcEvent(client, bdcId, bdcMessages[update] as never, event as never),
        Context.current().cancelled,
      ]);
      return { outcome: 'applied' };
    } catch (err) {
      if (err instanceof RefusedError && err.refusals[0]?.code !== 'unknown_bdc')
        return { outcome: 'skipped', reason: err.message };
      if (Context.current().cancellationSignal.aborted) throw err;
      last = (err as Error).message;
      await Context.current().sleep(Math.min(30_000, 250 * 2 ** attempt));
    }
  }
  return { outcome: 'failed', reason: `no answer after ${attempts} attempts: ${last}` };
}

export type BatchActivities = ReturnType<typeof createBatchActivities>;
