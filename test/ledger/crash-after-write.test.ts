import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { bdcMessages } from '../../workflows/messages';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

/**
 * The worker "crashes" after the ledger committed a payment order but before Temporal heard of it:
 * the first attempt of every payment activity writes, then fails. Temporal retries; the idempotency
 * key turns the retry into a read of the first record.
 */
const crashedAttempts: string[] = [];
class CrashAfterWrite implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    const { activityType, attempt } = Context.current().info;
    if (activityType === 'issuePaymentOrder' && attempt === 1) {
      crashedAttempts.push(activityType);
      throw new Error('simulated crash between the write and its acknowledgement');
    }
    return result;
  }
}

const h = harnessPerFile({ interceptors: { activity: [() => ({ inbound: new CrashAfterWrite() })] } });

test('a payment retried after a lost acknowledgement is written once', async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, new Date(await h.now()).toISOString(), 584_000));
  expect((await h.result(bdcId)).amounts.paidCents).toBe(584_000);
  expect(crashedAttempts).toEqual(['issuePaymentOrder', 'issuePaymentOrder']);
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200], ['balance', 408_800]], demands: [], receipts: [] });
});
