import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import type { Transition } from '../../contract/effects';
import { bdcMessages } from '../../contract/bdc';
import { event } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

/**
 * The advance reaches the database, then the workflow is cancelled through Temporal (the Web UI's
 * "Request Cancellation") before the activity reports back. Money effects are not cancellable: the
 * advance is recorded, then the cancellation goes the operator's way.
 */
class SlowAcknowledgement implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    const effect = (input.args[0] as Transition | undefined)?.effects?.find((e) => e.kind === 'paymentOrder');
    if (
      Context.current().info.activityType === 'recordTransition' &&
      effect?.kind === 'paymentOrder' &&
      effect.order === 'advance'
    )
      await new Promise((r) => setTimeout(r, 1_500));
    return result;
  }
}
const h = harnessPerFile({ interceptors: { activity: [() => ({ inbound: new SlowAcknowledgement() })] } });

test('cancelled through Temporal while the advance is being acknowledged: demanded back, received, claims freed, the workflow completes', async () => {
  const { bdcId } = await h.register();
  await eventually(async () => (await h.money(bdcId)).orders.length > 0, { everyMs: 20 });
  // the database holds the advance and the record (its validation wrote it); the workflow has not heard back yet
  expect((await h.env.client.workflow.getHandle(bdcId).query(bdcMessages.state)).status).toBe('awaiting_validation');
  await h.env.client.workflow.getHandle(bdcId).cancel();
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  expect(due).toMatchObject({
    outcome: 'cancelled after the advance: workflow cancelled through Temporal by an administrator',
    cancellation: { by: { role: 'admin', id: 'temporal' } },
  });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
  // the demand is tracked like any other: the receipt is recorded, then the BDC ends, its ESSMS freed
  expect((await h.reimburseInFull(bdcId)).status).toBe('reimbursed');
  expect((await h.env.client.workflow.getHandle(bdcId).describe()).status.name).toBe('COMPLETED');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [175_200] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'workflow-cancelled-during-advance');
});

test('ordered before référencement, granted, then cancelled: the advance paid is demanded back and received', async () => {
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
