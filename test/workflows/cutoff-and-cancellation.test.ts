import { bdcMessages } from '../../contract/bdc';
import { event, validVa } from '../support/bdc-fixtures';
import { harnessPerFile, iso } from '../support/harness';
import { eventually } from '../support/eventually';

const DAY = 86_400_000;
const h = harnessPerFile();

const deadline = async (bdcId: string, name: string) => (await h.state(bdcId)).deadlines.find((d) => d.name === name)!;

test('closing date passes before référencement: lapsed, nothing paid, ESSMS freed', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  await h.send(bdcId, bdcMessages.referencementDossierFiled, { ...event(), filedAt: iso(await h.now()) });
  await h.sleepPast((await deadline(bdcId, 'closing')).at);
  const final = await h.result(bdcId);
  expect(final).toMatchObject({ status: 'lapsed', outcome: 'closing date passed before référencement' });
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'closing-before-referencement');
});

test('closing date passes after the advance: the advance is demanded back, then received', async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.sleepPast((await deadline(bdcId, 'closing')).at);
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  expect(due.outcome).toBe('closing date passed without a valid VA');
  expect(due.amounts).toMatchObject({ paidCents: 175_200, toReimburseCents: 175_200, reimbursedCents: 0 });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });

  // a VA after the cutoff is refused: the milestone has passed
  await expect(
    h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000)),
  ).rejects.toMatchObject({ refusals: [{ code: 'wrong_state' }] });

  await h.send(bdcId, bdcMessages.reimbursementReceived, {
    ...event(),
    amountCents: 100_000,
    receivedAt: iso(await h.now()),
  });
  await expect(
    h.send(bdcId, bdcMessages.reimbursementReceived, {
      ...event(),
      amountCents: 100_000,
      receivedAt: iso(await h.now()),
    }),
  ).rejects.toMatchObject({
    refusals: [{ code: 'more_than_due', message: '1000.00 € is more than the 752.00 € still due' }],
  });
  await h.send(bdcId, bdcMessages.reimbursementReceived, {
    ...event(),
    amountCents: 75_200,
    receivedAt: iso(await h.now()),
  });
  const final = await h.result(bdcId);
  expect(final).toMatchObject({
    status: 'reimbursed',
    reimbursementOverdue: false,
    amounts: { reimbursedCents: 175_200 },
  });
  expect(await h.money(bdcId)).toEqual({
    orders: [['advance', 175_200]],
    demands: [175_200],
    receipts: [100_000, 75_200],
  });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'closing-after-advance-reimbursed');
});

test('a reimbursement not received within 30 days is flagged overdue, never dropped', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.sleepPast((await deadline(bdcId, 'closing')).at);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  const due = await deadline(bdcId, 'reimbursementDue');
  await h.sleepPast(due.at);
  const view = await eventually(async () => {
    const v = await h.state(bdcId);
    return v.reimbursementOverdue && v;
  });
  expect(view).toMatchObject({ status: 'reimbursement_due', reimbursementOverdue: true });
  expect(view.deadlines.find((d) => d.name === 'reimbursementDue')!.state).toBe('missed');

  await h.env.sleep(200 * DAY);
  expect((await h.state(bdcId)).status).toBe('reimbursement_due');
  await h.send(bdcId, bdcMessages.reimbursementReceived, {
    ...event(),
    amountCents: 175_200,
    receivedAt: iso(await h.now()),
  });
  expect(await h.result(bdcId)).toMatchObject({ status: 'reimbursed', reimbursementOverdue: true });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [175_200] });
  await h.keepHistory(bdcId, 'reimbursement-overdue');
});

test('cancelled before the advance: nothing paid, ESSMS freed', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: "l'OG renonce" });
  const final = await h.result(bdcId);
  expect(final).toMatchObject({ status: 'cancelled', outcome: "cancelled before any payment: l'OG renonce" });
  expect(final.audit.at(-1)).toMatchObject({ by: { role: 'operator', id: 'asp-operator-1' } });
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'cancelled-before-advance');
});

test('cancelled after the advance: the advance is demanded back', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'éditeur défaillant' });
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  expect(due.outcome).toBe('cancelled after the advance: éditeur défaillant');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
  expect((await h.reimburseInFull(bdcId)).status).toBe('reimbursed');
  await h.keepHistory(bdcId, 'cancelled-after-advance');
});

test('an invoice below the advance: the difference is demanded back, then completed', async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const accepted = await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 150_000));
  expect(accepted.amounts).toMatchObject({ financedCents: 150_000, balanceCents: -25_200 });
  await h.waitForStatus(bdcId, 'reimbursement_due');
  await h.send(bdcId, bdcMessages.reimbursementReceived, {
    ...event(),
    amountCents: 25_200,
    receivedAt: iso(await h.now()),
  });
  expect(await h.result(bdcId)).toMatchObject({
    status: 'completed',
    amounts: { paidCents: 175_200, reimbursedCents: 25_200 },
  });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [25_200], receipts: [25_200] });
  // the work was done: the ESSMS stay financed
  expect(await h.ledger.claimsOf(bdcId)).toEqual([...request.essms].sort());
  await h.keepHistory(bdcId, 'invoice-below-advance');
});

test("an administrator cancelling the workflow itself goes the operator's way: demanded back, tracked to receipt, never stranded", async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.env.client.workflow.getHandle(bdcId).cancel();
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  expect(due.audit.map((a) => a.kind).slice(-5)).toEqual([
    'cancellation_requested',
    'cancelled',
    'proposed',
    'validated',
    'reimbursement_demanded',
  ]);
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
  // overdue like any demand, then received: the workflow completes, the ESSMS are freed
  await h.sleepPast(due.deadlines.find((d) => d.name === 'reimbursementDue')!.at);
  await eventually(async () => (await h.state(bdcId)).reimbursementOverdue);
  expect(await h.reimburseInFull(bdcId)).toMatchObject({ status: 'reimbursed', reimbursementOverdue: true });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'workflow-cancelled-by-admin');
});
