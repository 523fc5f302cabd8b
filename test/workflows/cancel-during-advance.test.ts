import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { bdcMessages } from '../../workflows/messages';
import { event } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

/**
 * The advance reaches the ledger, then the workflow is cancelled before the activity reports back:
 * the compensation reads the ledger, so that advance is demanded back all the same.
 */
class SlowAcknowledgement implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    if (Context.current().info.activityType === 'issuePaymentOrder') await new Promise((r) => setTimeout(r, 1_500));
    return result;
  }
}
const h = harnessPerFile({ interceptors: { activity: [() => ({ inbound: new SlowAcknowledgement() })] } });

test('cancelled while the advance is being acknowledged: the advance written is demanded back', async () => {
  const { bdcId } = await h.register();
  await eventually(async () => (await h.money(bdcId)).orders.length > 0, { everyMs: 20 });
  expect((await h.state(bdcId)).status).toBe('advance_issued');
  await h.env.client.workflow.getHandle(bdcId).cancel();
  await expect(h.result(bdcId)).rejects.toThrow('ended CANCELLED');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
  await h.keepHistory(bdcId, 'workflow-cancelled-during-advance');
});

test('ordered before référencement, granted, then cancelled: the advance the ledger paid is demanded back and received', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  const now = new Date(await h.now()).toISOString();
  await h.send(bdcId, bdcMessages.referencementDecided, { ...event(), decision: 'granted', decidedAt: now });
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'OG dissoute' });
  await h.waitForStatus(bdcId, 'reimbursement_due');
  expect((await h.reimburseInFull(bdcId)).status).toBe('reimbursed');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [175_200] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'referencement-granted-then-cancelled');
});
