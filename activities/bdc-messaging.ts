import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { RecordQueries } from '../db/record-queries';
import { sendBdcEvent } from '../temporal/bdc-gateway';
import type { CalendarAmendment } from '../domain/events';
import { RefusedError } from '../domain/refusal';
import { bdcMessages } from '../workflows/messages';

/** The activities of the v1 calendar batch (workflows/legacy/calendar-batch-v1.ts), while one may still run. */
export function createBdcMessagingActivities(client: Client, queries: RecordQueries) {
  return {
    async runningBdcsOfCampaign(campaignId: string): Promise<string[]> {
      return (await queries.runningOfCampaign(campaignId)).map((b) => b.bdcId);
    },
    /**
     * A BDC's refusal is an answer, not a failure: the batch records it and goes on. The update needs a
     * worker to run the BDC's workflow task; when this worker shuts down it cancels the activity after
     * its grace time rather than waiting for itself, and the batch retries it on the next worker.
     */
    async amendBdcCalendar(
      bdcId: string,
      amendment: CalendarAmendment,
    ): Promise<{ applied: true } | { applied: false; reason: string }> {
      try {
        await Promise.race([
          sendBdcEvent(client, bdcId, bdcMessages.calendarAmended, amendment),
          Context.current().cancelled,
        ]);
        return { applied: true };
      } catch (err) {
        if (err instanceof RefusedError) return { applied: false, reason: err.message };
        throw err;
      }
    },
  };
}

export type BdcMessagingActivities = ReturnType<typeof createBdcMessagingActivities>;
