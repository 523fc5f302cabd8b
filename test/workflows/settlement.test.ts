import { randomUUID } from 'node:crypto';
import { reconcileLedger } from '../../client/reconciliation';
import { bdcMessages } from '../../contract/bdc';
import { event } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile, iso } from '../support/harness';

// Issue 15: an overdue reimbursement is never left waiting for ever: an operator escalates it (the
// BDC still waits for the money) or writes off what remains with a reason (the BDC ends written_off,
// its ESSMS still financed); the ledger holds the write-off, in cents.
const h = harnessPerFile();

const deadline = async (bdcId: string, name: string) => (await h.state(bdcId)).deadlines.find((d) => d.name === name)!;

async function overdue(): Promise<string> {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.sleepPast((await deadline(bdcId, 'closing')).at);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  await h.sleepPast((await deadline(bdcId, 'reimbursementDue')).at);
  await eventually(async () => (await h.state(bdcId)).reimbursementOverdue, { what: 'the reimbursement overdue' });
  return bdcId;
}

test('a reimbursement not yet overdue is neither escalated nor written off', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.sleepPast((await deadline(bdcId, 'closing')).at);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  await expect(
    h.send(bdcId, bdcMessages.reimbursementSettled, { ...event(), decision: 'write_off', reason: 'x' }),
  ).rejects.toMatchObject({ refusals: [{ code: 'not_overdue' }] });
});

test('escalated, then part received, then the rest written off: the BDC ends written_off, the ledger agrees', async () => {
  const bdcId = await overdue();
  await h.send(bdcId, bdcMessages.reimbursementSettled, {
    ...event(),
    decision: 'escalate',
    reason: 'transmis au service du recouvrement',
  });
  expect((await h.state(bdcId)).escalated).toMatchObject({ reason: 'transmis au service du recouvrement' });
  await expect(
    h.send(bdcId, bdcMessages.reimbursementSettled, { ...event(), decision: 'escalate', reason: 'encore' }),
  ).rejects.toMatchObject({ refusals: [{ code: 'already_escalated' }] });
  await h.send(bdcId, bdcMessages.reimbursementReceived, {
    ...event(),
    amountCents: 75_200,
    receivedAt: iso(await h.now()),
  });
  const writeOff = {
    eventId: randomUUID(),
    actor: event().actor,
    decision: 'write_off' as const,
    reason: 'éditeur en liquidation',
  };
  await h.send(bdcId, bdcMessages.reimbursementSettled, writeOff);
  // the same event again is a duplicate: it changes nothing
  await h.send(bdcId, bdcMessages.reimbursementSettled, writeOff);
  const end = await h.result(bdcId);
  expect(end).toMatchObject({
    status: 'written_off',
    amounts: { toReimburseCents: 175_200, reimbursedCents: 75_200, writtenOffCents: 100_000 },
    writtenOff: { reason: 'éditeur en liquidation' },
  });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [75_200] });
  const [w] = await h.ledger.sql.query<{ amount_cents: number }>(
    'SELECT amount_cents FROM demand_write_offs WHERE bdc_id = $1',
    [bdcId],
  );
  expect(Number(w!.amount_cents)).toBe(100_000);
  // the money kept keeps the ESSMS financed
  expect(await h.ledger.claimsOf(bdcId)).toHaveLength(2);
  const differences = (await reconcileLedger(await h.engine(), { graceMs: 0 })).differences.filter(
    (d) => d.bdcId === bdcId,
  );
  expect(differences).toEqual([]);
  await h.keepHistory(bdcId, 'reimbursement-written-off');
});
