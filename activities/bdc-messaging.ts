import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { allBdcs } from '../temporal/bdc-visibility';
import { sendBdcEvent } from '../temporal/bdc-gateway';
import type { CalendarAmendment } from '../domain/events';
import { RefusedError } from '../domain/refusal';
import { bdcMessages } from '../workflows/messages';

/** Activities that talk to other workflows through the Temporal client (batch operations). */
export function createBdcMessagingActivities(client: Client) {
  return {
    async runningBdcsOfCampaign(campaignId: string): Promise<string[]> {
      const ids: string[] = [];
      for await (const bdc of allBdcs(client, { campaign: campaignId })) if (bdc.running) ids.push(bdc.bdcId);
      return ids.sort();
    },
    /**
     * A BDC's refusal is an answer, not a failure: the batch records it and goes on. The update needs a
     * worker to run the BDC's workflow task; when this worker shuts down it cancels the activity after
     * its grace time rather than waiting for itself, and the batch retries it on the next worker.
     */
    async amendBdcCalendar(bdcId: string, amendment: CalendarAmendment): Promise<{ applied: true } | { applied: false; reason: string }> {
      try {
        await Promise.race([sendBdcEvent(client, bdcId, bdcMessages.calendarAmended, amendment), Context.current().cancelled]);
        return { applied: true };
      } catch (err) {
        if (err instanceof RefusedError) return { applied: false, reason: err.message };
        throw err;
      }
    },
  };
}

export type BdcMessagingActivities = ReturnType<typeof createBdcMessagingActivities>;
