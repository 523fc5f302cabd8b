import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { WorkflowUpdateStage } from '@temporalio/client';
import type { RefusedError } from '../../domain/refusal';
import type { Transition } from '../../contract/effects';
import { bdcMessages } from '../../contract/bdc';
import { event, validVa } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile, iso } from '../support/harness';

// Issue 10, defect 1: a VA and a cancellation sent at the same time, in one workflow task or across
// the advance's retries. On the dev server: a worker stopped and started again there finds the
// events that waited for it (the time-skipping server loses them with the worker's sticky queue).

/** While true, every transition that orders an advance fails as a database outage would (retried). */
let ledgerDown = false;
/** Attempts of advances refused by the outage, so a test knows the advance is being retried. */
let refusedAdvances = 0;
class LedgerOutage implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const effect = (input.args[0] as Transition | undefined)?.effects?.find((e) => e.kind === 'paymentOrder');
    if (
      ledgerDown &&
      Context.current().info.activityType === 'recordTransition' &&
      effect?.kind === 'paymentOrder' &&
      effect.order === 'advance'
    ) {
      refusedAdvances++;
      throw new Error('connection refused (simulated outage)');
    }
    return next(input);
  }
}
const h = harnessPerFile({ server: 'dev', interceptors: { activity: [() => ({ inbound: new LedgerOutage() })] } });
afterEach(() => {
  ledgerDown = false;
});

const outcome = (p: Promise<unknown>): Promise<'accepted' | string> =>
  p.then(
    () => 'accepted',
    (e: RefusedError) => e.refusals[0]!.code,
  );

describe('1. a VA and a cancellation: the first accepted wins, nothing is paid after an accepted cancellation', () => {
  test.each(['va first', 'cancellation first'])('both in one workflow task (%s)', async (order) => {
    const { bdcId, request } = await h.register();
    await h.waitForStatus(bdcId, 'awaiting_va');
    const va = () =>
      outcome(h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(Date.now() - 60_000), 584_000)));
    const cancel = () =>
      outcome(h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'annulation concurrente' }));
    const [first, second] = await h.withWorkerPaused(() =>
      order === 'va first' ? [va(), cancel()] : [cancel(), va()],
    );
    const results = {
      va: order === 'va first' ? await first : await second,
      cancel: order === 'va first' ? await second : await first,
    };
    if (results.va === 'accepted') {
      expect(results.cancel).toBe('va_accepted');
      await h.waitForStatus(bdcId, 'completed');
      expect(await h.money(bdcId)).toEqual({
        orders: [
          ['advance', 175_200],
          ['balance', 408_800],
        ],
        demands: [],
        receipts: [],
      });
    } else {
      expect([results.cancel, results.va]).toEqual(['accepted', 'cancellation_pending']);
      await h.waitForStatus(bdcId, 'reimbursement_due');
      expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
    }
  });

  test('a cancellation accepted while the advance is retried (ledger down): a later VA is refused, the advance is demanded back', async () => {
    ledgerDown = true;
    refusedAdvances = 0;
    const { bdcId, request } = await h.register();
    // the advance is being retried (on a busy machine the cancellation could otherwise come first)
    await eventually(() => refusedAdvances > 0, { what: 'a first refused attempt of the advance' });
    // the cancellation is accepted at once, recorded once the ledger answers
    const cancellation = await h.env.client.workflow.getHandle(bdcId).startUpdate(bdcMessages.cancellationRequested, {
      args: [{ ...event(), reason: 'OG dissoute' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    // meanwhile a VA is refused: the cancellation was accepted first
    expect(
      await outcome(h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(Date.now() - 60_000), 584_000))),
    ).toBe('cancellation_pending');
    ledgerDown = false;
    // recorded with its consequence: the advance (validated before it) demanded back, once an ordonnateur validates the demand
    expect((await cancellation.result()).status).toBe('awaiting_validation');
    await h.waitForStatus(bdcId, 'reimbursement_due');
    expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
  });
});
