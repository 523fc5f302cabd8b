import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Notifications, type Contact, type Party } from '../db/notifications';
import { DAILY_NOTICES_WORKFLOW_ID, DAILY_NOTICES_WORKFLOW_TYPE } from '../contract/notices';
import type { EngineContext } from './context';

/** Starts the daily notices (the operators' digest, the order deadlines' reminders), or finds them running. */
export async function startDailyNotices(ctx: EngineContext): Promise<void> {
  await ctx.client.workflow
    .start(DAILY_NOTICES_WORKFLOW_TYPE, {
      workflowId: DAILY_NOTICES_WORKFLOW_ID,
      taskQueue: ctx.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Daily notices at 09:00 Paris: operators’ digest, order deadline reminders',
    })
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
}

/** Who is told what: an éditeur's email addresses and webhook, an OG's addresses, the operators'. */
export const setContact = (ctx: EngineContext, contact: Contact) => new Notifications(ctx.sql).setContact(contact);
export const contactOf = (ctx: EngineContext, party: Party, partyId: string) =>
  new Notifications(ctx.sql).contact(party, partyId);
export const notificationsOfBdc = (ctx: EngineContext, bdcId: string) => new Notifications(ctx.sql).ofBdc(bdcId);
export const recentNotifications = (ctx: EngineContext, limit = 50) => new Notifications(ctx.sql).recent(limit);
