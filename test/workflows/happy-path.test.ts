import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

const h = harnessPerFile();

test('référencée solution: advance, VA, balance, completed — the ledger holds exactly the two orders', async () => {
  // OG with 3 ESSMS (tranche B), BDC for 2 of them: DOMAIN.md's worked example
  const { bdcId, request } = await h.register({ ogEssmsCount: 3 });
  const before = await h.state(bdcId);
  expect(before.amounts).toMatchObject({ ceilingCents: 584_000, advanceCents: 175_200 });

  const signedAt = new Date(await h.now()).toISOString();
  const after = await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, signedAt, 600_000));
  expect(after.amounts).toMatchObject({ financedCents: 584_000, balanceCents: 408_800 });

  const final = await h.result(bdcId);
  expect(final.status).toBe('completed');
  expect(final.amounts.paidCents).toBe(584_000);

  const entry = (await h.ledger.entries(bdcId)).get(bdcId)!;
  expect(entry.paymentOrders.map((o) => [o.kind, o.amountCents, o.idempotencyKey])).toEqual([
    ['advance', 175_200, `${bdcId}:advance`],
    ['balance', 408_800, `${bdcId}:balance`],
  ]);
  expect(entry.demands).toHaveLength(0);
  expect(await h.ledger.claimsOf(bdcId)).toEqual([...request.essms].sort());
  await h.keepHistory(bdcId, 'happy-path');
});
