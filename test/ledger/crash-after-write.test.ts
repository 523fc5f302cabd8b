import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import type { Transition } from '../../contract/effects';
import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

/**
 * The worker "crashes" after the database committed a transition with its payment order but before
 * Temporal heard of it: the first attempt of every payment writes, then fails. Temporal retries; the
 * idempotency key turns the retry into a read of the first order, the record's version into no change.
 */
const crashedAttempts: string[] = [];
class CrashAfterWrite implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    const { activityType, attempt } = Context.current().info;
    const effect = (input.args[0] as Transition | undefined)?.effects?.find((e) => e.kind === 'paymentOrder');
    if (activityType === 'recordTransition' && effect?.kind === 'paymentOrder' && attempt === 1) {
      crashedAttempts.push(effect.order);
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
  expect(crashedAttempts).toEqual(['advance', 'balance']);
  // each transition once in the audit trail, whatever the retries
  expect((await h.state(bdcId)).audit.map((a) => a.kind)).toEqual([
    'registered',
    'proposed',
    'validated',
    'advance_ordered',
    'awaiting_va',
    'va_accepted',
    'proposed',
    'validated',
    'balance_ordered',
    'completed',
  ]);
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
});
