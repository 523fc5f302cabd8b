import { randomUUID } from 'node:crypto';
import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile, iso } from '../support/harness';

// Issue 21: a VA sent while the advance waited for its ordonnateur was answered only once they had
// validated, and a closing passing meanwhile withdrew the advance of work proven in time.
const h = harnessPerFile({ ordonnateurs: 'absent' });
const ordonnateur = { role: 'ordonnateur' as const, id: 'ordonnateur-va-test' };
const validate = (bdcId: string, proposalId: string) =>
  h.send(bdcId, bdcMessages.proposalValidated, { eventId: randomUUID(), actor: ordonnateur, proposalId });

test('a VA while the advance awaits validation: recorded at once, the closing passes, the advance then the balance are paid on validation', async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_validation');
  const answer = await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso((await h.now()) - 1_000), 584_000));
  expect(answer).toMatchObject({ status: 'awaiting_validation' });
  const recorded = await h.state(bdcId);
  expect(recorded.va).toMatchObject({ invoiceCents: 584_000 });
  expect(recorded.deadlines.find((d) => d.name === 'closing')?.state).toBe('met');
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });

  // the ordonnateurs are away past the closing: the proven work keeps its advance
  await h.sleepPast(recorded.deadlines.find((d) => d.name === 'closing')!.at, 86_400_000);
  expect((await h.state(bdcId)).proposals).toMatchObject([{ kind: 'advance', state: 'proposed' }]);
  await validate(bdcId, 'advance');
  await h.waitForStatus(bdcId, 'awaiting_validation');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
  await validate(bdcId, 'balance');
  const done = await h.waitForStatus(bdcId, 'completed');
  expect(done.amounts).toMatchObject({ paidCents: 584_000, financedCents: 584_000, balanceCents: 408_800 });
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
  expect(done.audit.map((a) => a.kind)).toEqual([
    'registered',
    'proposed',
    'va_accepted',
    'validated',
    'advance_ordered',
    'proposed',
    'validated',
    'balance_ordered',
    'completed',
  ]);
  await h.keepHistory(bdcId, 'va-before-advance-paid');
});
