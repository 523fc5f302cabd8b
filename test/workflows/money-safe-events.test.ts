import { randomUUID } from 'node:crypto';
import { addCalendarDays, endOfParisDay, parisCivilDate } from '../../domain/calendar';
import { RefusedError, type Refusal } from '../../domain/refusal';
import { bdcMessages } from '../../contract/bdc';
import { bdcSearchAttributes } from '../../contract/search-attributes';
import { bdcRequest, event, validVa } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile, iso } from '../support/harness';

// Issue 10: one test per defect found by the drills and the review, each asserting the ledger's cents.
const DAY = 86_400_000;

// (1., a VA and a cancellation racing, is test/workflows/concurrent-events.test.ts: it needs the dev server)
const h = harnessPerFile();

const refusals = (p: Promise<unknown>): Promise<Refusal[]> =>
  p.then(
    () => [],
    (e: RefusedError) => e.refusals,
  );

describe('2. an event id belongs to one event', () => {
  test("an event reusing the registration's id is refused, and nothing is cancelled", async () => {
    const { bdcId } = await h.register();
    const registration = (await h.waitForStatus(bdcId, 'awaiting_va')).audit[0]!.eventId!;
    expect(
      await refusals(
        h.send(bdcId, bdcMessages.cancellationRequested, { eventId: registration, actor: event().actor, reason: 'x' }),
      ),
    ).toMatchObject([
      {
        code: 'event_id_reused',
        message: `event id ${registration} was already used for a registration event`,
        path: 'eventId',
        value: registration,
      },
    ]);
    expect((await h.state(bdcId)).status).toBe('awaiting_va');
  });

  test('an id reused for another kind of event, or for other content, is refused naming the first', async () => {
    const { bdcId } = await h.register({ request: { solutionReferenced: false } });
    await h.waitForStatus(bdcId, 'awaiting_referencement');
    const dossier = { ...event(), filedAt: iso(await h.now()) };
    await h.send(bdcId, bdcMessages.referencementDossierFiled, dossier);
    expect(
      await refusals(
        h.send(bdcId, bdcMessages.cancellationRequested, {
          eventId: dossier.eventId,
          actor: dossier.actor,
          reason: 'x',
        }),
      ),
    ).toMatchObject([
      expect.objectContaining({
        code: 'event_id_reused',
        message: `event id ${dossier.eventId} was already used for a referencementDossierFiled event`,
      }),
    ]);
    expect(
      await refusals(
        h.send(bdcId, bdcMessages.referencementDossierFiled, { ...dossier, filedAt: iso((await h.now()) - DAY) }),
      ),
    ).toMatchObject([
      expect.objectContaining({
        code: 'event_id_reused',
        message: `event id ${dossier.eventId} was already used for another event`,
      }),
    ]);
    // the same event again is a duplicate: answered, nothing changes
    await h.send(bdcId, bdcMessages.referencementDossierFiled, dossier);
    const view = await h.state(bdcId);
    expect(view.status).toBe('awaiting_referencement');
    expect(view.audit.filter((a) => a.kind === 'dossier_filed')).toHaveLength(1);
  });
});

test('3. a receipt whose ledger write is refused is not counted', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'x' });
  await h.waitForStatus(bdcId, 'reimbursement_due');
  const receipt = { ...event(), amountCents: 75_200, receivedAt: iso(await h.now()) };
  // the ledger already holds that key with other content: it refuses the write
  await h.ledger.recordReimbursementReceipt({
    idempotencyKey: `${bdcId}:receipt:${receipt.eventId}`,
    bdcId,
    amountCents: 1_000,
    receivedAt: receipt.receivedAt,
  });
  expect((await refusals(h.send(bdcId, bdcMessages.reimbursementReceived, receipt)))[0]).toMatchObject({
    code: 'idempotency_conflict',
  });
  expect(await h.state(bdcId)).toMatchObject({ status: 'reimbursement_due', amounts: { reimbursedCents: 0 } });
  // and a malformed event id never reaches the ledger
  expect(
    (await refusals(h.send(bdcId, bdcMessages.reimbursementReceived, { ...receipt, eventId: '2024/03 virement' })))[0],
  ).toMatchObject({ code: 'invalid_format', path: 'eventId' });
  // the ledger's own bound holds whatever the record believes: with the stray 10,00 € it holds of this
  // demand, it takes no more than the 1 742,00 € left due (issue 21)
  expect(
    (
      await refusals(
        h.send(bdcId, bdcMessages.reimbursementReceived, { ...receipt, eventId: randomUUID(), amountCents: 175_200 }),
      )
    )[0],
  ).toMatchObject({ code: 'more_than_due', params: { dueCents: 174_200 } });
  expect(await h.state(bdcId)).toMatchObject({ status: 'reimbursement_due', amounts: { reimbursedCents: 0 } });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [1_000] });
});

describe('5. a money effect the ledger refuses: its validation is refused with the reason, the ordonnateur rejects it, the BDC needs attention, an operator decides, never FAILED', () => {
  const ordonnateur = { role: 'ordonnateur' as const, id: 'ordonnateur-test' };
  /** A BDC granted, its advance proposed, and a stray advance the ledger holds for it under another key. */
  async function withStrayAdvance() {
    const { bdcId } = await h.register({ request: { solutionReferenced: false } });
    await h.waitForStatus(bdcId, 'awaiting_referencement');
    await h.ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance:manual`,
      bdcId,
      kind: 'advance',
      amountCents: 175_200,
    });
    await h.send(bdcId, bdcMessages.referencementDecided, {
      ...event(),
      decision: 'granted',
      decidedAt: iso(await h.now()),
    });
    await h.waitForStatus(bdcId, 'awaiting_validation');
    // the ordonnateur's validation would write the advance: the ledger refuses it, and says why
    const refused = await refusals(
      h.send(bdcId, bdcMessages.proposalValidated, {
        eventId: randomUUID(),
        actor: ordonnateur,
        proposalId: 'advance',
      }),
    );
    expect(refused[0]).toMatchObject({ code: 'duplicate_effect' });
    await h.send(bdcId, bdcMessages.proposalRejected, {
      eventId: randomUUID(),
      actor: ordonnateur,
      proposalId: 'advance',
      reason: 'un ordre manuel existe déjà',
    });
    return { bdcId, view: await h.waitForStatus(bdcId, 'needs_attention') };
  }

  test('the reason is in the state, the search attributes and the lists; retried once fixed, the advance is proposed again and ordered', async () => {
    const { bdcId, view } = await withStrayAdvance();
    expect(view.attention).toMatchObject({
      step: 'advance',
      refusals: [{ code: 'proposal_rejected' }],
      reason: 'the ordonnateur rejected the advance: un ordre manuel existe déjà',
      resumeStatus: 'awaiting_validation',
    });
    // the search attribute follows the record in the workflow's next task
    await eventually(
      async () =>
        (await h.env.client.workflow.getHandle(bdcId).describe()).typedSearchAttributes.get(
          bdcSearchAttributes.status,
        ) === 'needs_attention',
      { what: 'the status search attribute' },
    );
    const engine = await h.engine();
    expect((await engine.queries.list({ status: 'needs_attention', limit: 50 })).bdcs.map((b) => b.bdcId)).toContain(
      bdcId,
    );
    await h.ledger.sql.query('DELETE FROM payment_orders WHERE idempotency_key = $1', [`${bdcId}:advance:manual`]);
    await h.send(bdcId, bdcMessages.attentionResolved, {
      ...event(),
      decision: 'retry',
      reason: 'ordre manuel supprimé',
    });
    // proposed again, validated by the ordonnateurs on duty
    await h.waitForStatus(bdcId, 'awaiting_va');
    expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
    expect((await h.state(bdcId)).proposals?.map((p) => [p.id, p.state])).toEqual([
      ['advance', 'rejected'],
      ['advance:2', 'validated'],
    ]);
    expect((await h.state(bdcId)).audit.map((a) => a.kind)).toEqual(
      expect.arrayContaining(['rejected', 'needs_attention', 'attention_resolved', 'advance_ordered']),
    );
    await h.keepHistory(bdcId, 'needs-attention-then-retry');
  });

  test('or cancel it, before any payment: nothing paid, the ESSMS freed', async () => {
    const { bdcId } = await withStrayAdvance();
    await h.send(bdcId, bdcMessages.attentionResolved, {
      ...event(),
      decision: 'cancel',
      reason: 'doublon de commande',
    });
    const final = await h.result(bdcId);
    expect(final).toMatchObject({ status: 'cancelled', outcome: 'cancelled before any payment: doublon de commande' });
    expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
    await h.keepHistory(bdcId, 'needs-attention-then-cancelled');
  });
});

test('6. two orders whose éditeur and reference share a dash are two BDCs', async () => {
  const a = await h.register({ request: { editeurId: 'a-b', reference: 'c' } });
  const b = await h.register({ request: { editeurId: 'a', reference: 'b-c' } });
  expect([a.bdcId, b.bdcId]).toEqual(['bdc:a-b:c', 'bdc:a:b-c']);
  await h.waitForStatus(a.bdcId, 'awaiting_va');
  await h.waitForStatus(b.bdcId, 'awaiting_va');
  expect([await h.money(a.bdcId), await h.money(b.bdcId)]).toEqual([
    { orders: [['advance', 175_200]], demands: [], receipts: [] },
    { orders: [['advance', 175_200]], demands: [], receipts: [] },
  ]);
});

// 7. (a registration whose workflow cannot start) is test/intake/atomic-registration.test.ts: it lists running workflows, which the dev server can

test('8. the same registration again answers as the first time; its id with other content is refused', async () => {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date(await h.now())) });
  const eventId = randomUUID();
  const first = await h.intake(request, { eventId });
  expect(await h.intake(request, { eventId })).toEqual({ ...first, created: false });
  expect((await refusals(h.intake({ ...request, essms: request.essms.slice(0, 1) }, { eventId })))[0]).toMatchObject({
    code: 'event_id_reused',
  });
  expect((await refusals(h.intake(request)))[0]).toMatchObject({ code: 'already_registered' });
});

test('9. a receipt is dated neither in the future nor before its demand', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'x' });
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  const receipt = (receivedAt: string) =>
    h.send(bdcId, bdcMessages.reimbursementReceived, { ...event(), amountCents: 100, receivedAt });
  expect((await refusals(receipt('9999-12-31T00:00:00.000Z')))[0]).toMatchObject({
    code: 'in_future',
    path: 'receivedAt',
  });
  expect((await refusals(receipt(iso(Date.parse(due.demand!.issuedDayStartsAt) - 1))))[0]).toMatchObject({
    code: 'before_demand',
    path: 'receivedAt',
  });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
});

describe("10. the VA's rules: the campaign's TBB.1 indicators, signed after the order, every reason at once", () => {
  const tbb1Indicators = ['TBB.1.1', 'TBB.1.2', 'TBB.1.3'];

  test('indicators the campaign does not list are refused, those it lists are each required', async () => {
    const { bdcId, request } = await h.register({ campaign: { tbb1Indicators } });
    await h.waitForStatus(bdcId, 'awaiting_va');
    const va = validVa(request, iso(await h.now()), 584_000);
    for (const e of va.va.essms) e.tbb1 = { "n'importe quoi": 1 };
    const codes = (await refusals(h.send(bdcId, bdcMessages.vaSubmitted, va))).map((r) => r.code);
    expect(codes).toEqual(
      [...Array(2)].flatMap(() => ['va_tbb1_missing', 'va_tbb1_missing', 'va_tbb1_missing', 'va_tbb1_unknown']),
    );
    for (const e of va.va.essms) e.tbb1 = { 'TBB.1.1': 3, 'TBB.1.2': 1, 'TBB.1.3': 7 };
    await h.send(bdcId, bdcMessages.vaSubmitted, { ...va, eventId: randomUUID() });
    await h.waitForStatus(bdcId, 'completed');
    expect(await h.money(bdcId)).toEqual({
      orders: [
        ['advance', 175_200],
        ['balance', 408_800],
      ],
      demands: [],
      receipts: [],
    });
  });

  test('a VA with a defect of form and defects of substance gets them all in one answer', async () => {
    const { bdcId, request } = await h.register();
    await h.waitForStatus(bdcId, 'awaiting_va');
    const va = validVa(request, iso(await h.now()), 584_000);
    (va.va as { signature: string }).signature = 'fax';
    va.va.essms[0]!.duiDeployed = false;
    va.invoice.ogFiness = '010003820';
    va.va.signedAt = endOfParisDay(addCalendarDays(request.orderDate, -2)).toISOString();
    expect((await refusals(h.send(bdcId, bdcMessages.vaSubmitted, va))).map((r) => [r.code, r.path])).toEqual([
      ['invalid_value', 'va.signature'],
      ['va_dui_not_deployed', 'va.essms.0.duiDeployed'],
      ['va_signed_before_order', 'va.signedAt'],
      ['invoice_other_og', 'invoice.ogFiness'],
    ]);
    expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
  });
});

test('11. a reimbursement is due at the end of a Paris day, like every other deadline', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'x' });
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  const issuedOn = parisCivilDate(new Date(due.demand!.issuedAt));
  expect(due.deadlines.find((d) => d.name === 'reimbursementDue')).toMatchObject({
    at: endOfParisDay(addCalendarDays(issuedOn, 30)).toISOString(),
    state: 'pending',
  });
  expect(due.demand!.dueAt).toBe(endOfParisDay(addCalendarDays(issuedOn, 30)).toISOString());
});
