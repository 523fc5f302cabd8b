import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { cancelBdc, recordReimbursement } from '../../client/bdc-events';
import type { Transition } from '../../contract/effects';
import { bdcMessages } from '../../contract/bdc';
import { parisCivilDate } from '../../domain/calendar';
import { harnessOperator, harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

/**
 * Found by the drill (a worker SIGKILLed at the wrong moment): a commit is written — the record, and so
 * every screen, says « remboursement dû » — but the workflow has not heard back from its activity yet.
 * An operator who records the receipt the screen asks for must not be refused for a state no screen
 * shows any longer: the event waits for the workflow to catch up, then is recorded.
 */
const HOLD_MS = 3_000;
class SlowDemandAcknowledgement implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    const demanded = (input.args[0] as Transition | undefined)?.effects?.some((e) => e.kind === 'demand');
    if (Context.current().info.activityType === 'recordTransition' && demanded)
      await new Promise((r) => setTimeout(r, HOLD_MS));
    return result;
  }
}
const h = harnessPerFile({ interceptors: { activity: [() => ({ inbound: new SlowDemandAcknowledgement() })] } });

test('a receipt recorded as soon as the record says the reimbursement is due is recorded, not refused', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const ctx = await h.engine();
  await cancelBdc(ctx, harnessOperator, bdcId, { eventId: randomUUID(), reason: 'OG dissoute' });
  const due = await eventually(
    async () => {
      const view = await h.state(bdcId);
      return view.status === 'reimbursement_due' && view;
    },
    { everyMs: 20 },
  );
  // the record is ahead: the workflow still waits for its demand to be acknowledged
  expect((await h.env.client.workflow.getHandle(bdcId).query(bdcMessages.state)).status).toBe('awaiting_validation');
  const after = await recordReimbursement(ctx, harnessOperator, bdcId, {
    eventId: randomUUID(),
    amountCents: due.amounts.toReimburseCents,
    receivedOn: parisCivilDate(new Date(await h.now())),
  });
  expect(after).toMatchObject({ amounts: { toReimburseCents: 175_200, reimbursedCents: 175_200 } });
  await h.waitForStatus(bdcId, 'reimbursed');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [175_200] });
});
