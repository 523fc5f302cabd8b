import { defineQuery, proxyActivities, setHandler, type RetryPolicy } from '@temporalio/workflow';
import type { BdcMessagingActivities } from '../../activities/bdc-messaging';
import type { CalendarAmendment } from '../../domain/events';

export interface CalendarBatchInput {
  campaignId: string;
  /** the operator's amendment; each BDC receives it under `<eventId>:<bdcId>` */
  amendment: CalendarAmendment;
}

export interface CalendarBatchProgress {
  campaignId: string;
  total?: number;
  applied: number;
  /** BDCs that refused the amendment (ended meanwhile…), with the reason */
  skipped: { bdcId: string; reason: string }[];
  done: boolean;
}

export const calendarBatchProgress = defineQuery<CalendarBatchProgress>('progress');
export const CALENDAR_BATCH_WORKFLOW_TYPE = 'calendarAmendmentBatch';

const retry: RetryPolicy = { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 };
const listing = proxyActivities<BdcMessagingActivities>({ startToCloseTimeout: '5 minutes', retry });
// one update takes well under a second; a short timeout lets the server give an amendment lost with
// its worker (a restart) to the next worker quickly
const messaging = proxyActivities<BdcMessagingActivities>({ startToCloseTimeout: '10 seconds', retry });

const PARALLEL = 20;

/**
 * FROZEN: the calendar batches started before bdcBatch (workflows/bdc-batch.ts) replay and finish on
 * this code; delete it once none runs.
 *
 * Applies a calendar amendment to every running BDC of a campaign. Durable, so an interrupted batch
 * resumes where it stopped; each BDC deduplicates its event, so a BDC amended twice changes once.
 */
export async function calendarAmendmentBatch({
  campaignId,
  amendment,
}: CalendarBatchInput): Promise<CalendarBatchProgress> {
  const progress: CalendarBatchProgress = { campaignId, applied: 0, skipped: [], done: false };
  const applied = new Set<string>();
  setHandler(calendarBatchProgress, () => progress);
  const bdcIds = await listing.runningBdcsOfCampaign(campaignId);
  progress.total = bdcIds.length;
  for (let i = 0; i < bdcIds.length; i += PARALLEL) {
    await Promise.all(
      bdcIds.slice(i, i + PARALLEL).map(async (bdcId) => {
        const outcome = await messaging.amendBdcCalendar(bdcId, {
          ...amendment,
          eventId: `${amendment.eventId}:${bdcId}`,
        });
        if (outcome.applied) progress.applied = applied.add(bdcId).size;
        else progress.skipped.push({ bdcId, reason: outcome.reason });
      }),
    );
  }
  progress.done = true;
  return progress;
}
