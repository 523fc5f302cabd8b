import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BdcMessagingActivities } from '../activities/bdc-messaging';
import type { CalendarAmendment } from '../domain/events';

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

const messaging = proxyActivities<BdcMessagingActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const PARALLEL = 20;

/**
 * Applies a calendar amendment to every running BDC of a campaign. Durable, so an interrupted batch
 * resumes where it stopped; each BDC deduplicates its event, so a BDC amended twice changes once.
 */
export async function calendarAmendmentBatch({ campaignId, amendment }: CalendarBatchInput): Promise<CalendarBatchProgress> {
  const progress: CalendarBatchProgress = { campaignId, applied: 0, skipped: [], done: false };
  setHandler(calendarBatchProgress, () => progress);
  const bdcIds = await messaging.runningBdcsOfCampaign(campaignId);
  progress.total = bdcIds.length;
  for (let i = 0; i < bdcIds.length; i += PARALLEL) {
    await Promise.all(
      bdcIds.slice(i, i + PARALLEL).map(async (bdcId) => {
        const outcome = await messaging.amendBdcCalendar(bdcId, { ...amendment, eventId: `${amendment.eventId}:${bdcId}` });
        if (outcome.applied) progress.applied++;
        else progress.skipped.push({ bdcId, reason: outcome.reason });
      }),
    );
  }
  progress.done = true;
  return progress;
}
