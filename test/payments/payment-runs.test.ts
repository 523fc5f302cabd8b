import { randomUUID } from 'node:crypto';
import { verifyJournal } from '../../client/journal-verify';
import { endToEndId } from '../../domain/sepa/pain001';
import { Editeurs } from '../../db/editeurs';
import { enrolInDatabase, sampleMandatary } from '../../scripts/samples/enrolment';
import { postgresBackend } from '../support/database';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { validateAgainst } from '../support/sepa';

// Issue 24: validated payment orders released by a comptable as one payment run — a pain.001.001.09
// file valid against the official schema, its control sum and count those of the orders, paid to the
// bank details in force at release — on PostgreSQL, where two releases really run at once: an order
// is in one released run at most, whatever the races, crashes and retries.
const h = harnessPerFile({ api: true, database: postgresBackend() });

type Order = { id: number; idempotencyKey: string; bdcId: string; amountCents: number; state: string };
const ADVANCE = 175_200; // DOMAIN.md's worked example: 30 % of 5 840,00 € (tranche B, two ESSMS)
const FIRST_IBAN = 'FR1420041010050500013M02606'; // the sample éditeur's, validated by the fixture
const NEW_IBAN = 'FR7630006000011234567890189';

async function validatedOrders(bdcIds: string[]): Promise<Order[]> {
  return eventually(
    async () => {
      const { body } = await h.api.call('GET', '/payment-orders?state=validated', { token: h.api.tokens.comptable });
      const mine = (body.orders as Order[]).filter((o) => bdcIds.includes(o.bdcId));
      if (mine.length !== bdcIds.length) throw new Error(`${mine.length} of ${bdcIds.length} advances validated`);
      return bdcIds.map((b) => mine.find((o) => o.bdcId === b)!);
    },
    { what: 'the advances validated by the ordonnateurs on duty', budgetMs: 120_000 },
  );
}

const release = (runId: string, orderIds: number[]) =>
  h.api.call('POST', '/payment-runs', { token: h.api.tokens.comptable, body: { runId, orderIds } });

/** Each transfer of a file: its end-to-end id, its amount, the creditor's IBAN. */
function transfersOf(xml: string): [string, string, string][] {
  return [...xml.matchAll(/<CdtTrfTxInf>([\s\S]*?)<\/CdtTrfTxInf>/g)].map(([, t]) => [
    /<EndToEndId>([^<]+)</.exec(t!)![1]!,
    /<InstdAmt Ccy="EUR">([^<]+)</.exec(t!)![1]!,
    /<CdtrAcct>\s*<Id>\s*<IBAN>([^<]+)</.exec(t!)![1]!,
  ]);
}

const ordersByState = async () =>
  Object.fromEntries(
    (
      await h.ledger.sql.query<{ state: string; n: number; cents: string }>(
        'SELECT state, count(*)::int AS n, sum(amount_cents)::int8 AS cents FROM payment_orders GROUP BY state ORDER BY state',
      )
    ).map((r) => [r.state, [r.n, Number(r.cents)]]),
  );

let orders: Order[];
beforeAll(async () => {
  await enrolInDatabase(h.ledger.sql, 'editeur-acme');
  const bdcIds: string[] = [];
  for (let i = 0; i < 4; i++) bdcIds.push((await h.register({ ogEssmsCount: 3 })).bdcId);
  orders = await validatedOrders(bdcIds);
}, 180_000);

test('two releases at once sharing an order: one run holds it; a crashed release retried writes each order once; the file is valid pain.001.001.09', async () => {
  const [o1, o2, o3] = orders;
  expect(orders.map((o) => o.amountCents)).toEqual([ADVANCE, ADVANCE, ADVANCE, ADVANCE]);
  // an ordonnateur, an éditeur cannot release
  for (const token of [h.api.tokens.ordonnateur, h.api.tokens.acme, h.api.tokens.operator])
    expect(
      (await h.api.call('POST', '/payment-runs', { token, body: { runId: randomUUID(), orderIds: [o1!.id] } })).status,
    ).toBe(403);

  // two comptables' releases at once, both with o1 — and the first one sent twice (a retry)
  const runA = `run-a-${randomUUID()}`;
  const runB = `run-b-${randomUUID()}`;
  const [a, aAgain, b] = await Promise.all([
    release(runA, [o1!.id, o2!.id]),
    release(runA, [o2!.id, o1!.id]),
    release(runB, [o3!.id, o1!.id]),
  ]);
  const won = [a, b].filter((r) => r.status === 201);
  expect(won).toHaveLength(1);
  const [winner, loser, winnerId, loserOthers] = a.status === 201 ? [a, b, runA, [o3!]] : [b, a, runB, [o2!]];
  // the retry of run A is run A again, or refused with it when B won
  expect(aAgain.status).toBe(a.status);
  if (a.status === 201) expect(aAgain.body.run).toEqual(a.body.run);
  expect(loser.status).toBe(409);
  expect(loser.body.refusals).toEqual([
    // named where the loser's request put it
    expect.objectContaining({
      code: 'order_wrong_state',
      path: loser === a ? 'orderIds.0' : 'orderIds.1',
      value: o1!.id,
    }),
  ]);
  expect(winner.body.run).toMatchObject({
    runId: winnerId,
    transfers: 2,
    controlSumCents: 2 * ADVANCE,
    releasedBy: { role: 'comptable', id: 'compta-1' },
    debtor: { iban: 'FR7630001007941234567890185' },
  });
  // each order in one run at most: the database says so
  const held = await h.ledger.sql.query<{ order_id: string; n: number }>(
    'SELECT order_id, count(*)::int AS n FROM payment_transfers GROUP BY order_id ORDER BY order_id',
  );
  expect(held.map((r) => r.n)).toEqual([1, 1]);
  expect(await ordersByState()).toEqual({ released: [2, 2 * ADVANCE], validated: [2, 2 * ADVANCE] });

  // the file: valid against the official schema, its sums those of the orders, one transfer per order
  const file = await h.api.call('GET', `/payment-runs/${winnerId}/file`, { token: h.api.tokens.comptable });
  expect(file.status).toBe(200);
  const xml = file.body as string;
  expect(validateAgainst('pain.001.001.09.xsd', xml)).toEqual({
    ok: true,
    output: expect.stringContaining('validates'),
  });
  expect(xml.match(/<NbOfTxs>2<\/NbOfTxs>/g)).toHaveLength(2);
  expect(xml.match(/<CtrlSum>3504.00<\/CtrlSum>/g)).toHaveLength(2);
  expect(xml).toContain('<IBAN>FR7630001007941234567890185</IBAN>'); // the debtor: the ASP's account
  const released = [o1!, ...(winnerId === runA ? [o2!] : [o3!])];
  expect(transfersOf(xml).sort()).toEqual(
    released.map((o) => [endToEndId(o.idempotencyKey), '1752.00', FIRST_IBAN] as [string, string, string]).sort(),
  );

  // a release that dies before its commit leaves nothing; retried with its id, it writes each order once
  const [left] = loserOthers;
  const runC = `run-c-${randomUUID()}`;
  await h.ledger.sql.exec('ALTER TABLE payment_order_events ADD CONSTRAINT release_dies CHECK (seq < 0) NOT VALID');
  const crashed = await release(runC, [left!.id, orders[3]!.id]);
  expect(crashed.status).toBe(500);
  await h.ledger.sql.exec('ALTER TABLE payment_order_events DROP CONSTRAINT release_dies');
  expect(await ordersByState()).toEqual({ released: [2, 2 * ADVANCE], validated: [2, 2 * ADVANCE] });
  expect((await h.ledger.sql.query('SELECT 1 FROM payment_runs WHERE run_id = $1', [runC])).length).toBe(0);
  const [retried, again] = [
    await release(runC, [left!.id, orders[3]!.id]),
    await release(runC, [orders[3]!.id, left!.id]),
  ];
  expect(retried.status).toBe(201);
  expect(again.body.run).toEqual(retried.body.run);
  // the same run id with other orders: refused
  expect((await release(runC, [left!.id])).status).toBe(422);
  expect(await ordersByState()).toEqual({ released: [4, 4 * ADVANCE] });
  const counts = await h.ledger.sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM payment_transfers GROUP BY order_id',
  );
  expect(counts.map((c) => c.n)).toEqual([1, 1, 1, 1]);
  const runs = await h.api.call('GET', '/payment-runs', { token: h.api.tokens.comptable });
  expect(
    runs.body.runs.map((r: { transfers: number; controlSumCents: number }) => [r.transfers, r.controlSumCents]),
  ).toEqual([
    [2, 2 * ADVANCE],
    [2, 2 * ADVANCE],
  ]);
  expect((await verifyJournal(h.ledger.sql, {})).mismatches).toEqual([]);
});

test('a payment goes to the bank details in force at release: validated before a change, the order is flagged, then paid to the new IBAN', async () => {
  const { bdcId } = await h.register({ ogEssmsCount: 3 });
  const [order] = await validatedOrders([bdcId]);
  // the éditeur's person proposes new bank details, an ordonnateur validates them
  const proposed = await h.api.call('POST', '/editeurs/editeur-acme/bank-details', {
    token: h.api.tokens.acme,
    body: { eventId: randomUUID(), iban: NEW_IBAN, bic: 'AGRIFRPP', holder: 'Acmé Santé' },
  });
  // the fixture's mandate names the sample's person, not the acme token's: refused
  expect(proposed.status).toBe(422);
  expect(proposed.body.refusals).toEqual([expect.objectContaining({ code: 'not_in_mandate' })]);
  // the sample's person sends a new version of the enrolment whose mandate names the acme token's person too
  const editeurs = new Editeurs(h.ledger.sql);
  const current = (await editeurs.enrolment('editeur-acme'))!;
  await editeurs.enrol(
    {
      ...current,
      mandate: [...current.mandate, { name: 'API', email: 'api@acme.example', personId: 'editeur-acme/acme-api' }],
    },
    sampleMandatary('editeur-acme'),
    `enrolment-v2-${randomUUID()}`,
  );
  const change = await h.api.call('POST', '/editeurs/editeur-acme/bank-details', {
    token: h.api.tokens.acme,
    body: { eventId: randomUUID(), iban: NEW_IBAN, bic: 'AGRIFRPP', holder: 'Acmé Santé' },
  });
  expect(change.status).toBe(201);
  // not yet in force: the order would still go to the first IBAN
  const before = await h.api.call('GET', `/payment-orders?bdcId=${bdcId}`, { token: h.api.tokens.comptable });
  expect(before.body.orders[0]).toMatchObject({ bankDetailsChanged: false, bankDetails: { iban: FIRST_IBAN } });
  await h.api.call('POST', `/editeurs/editeur-acme/bank-details/${change.body.bankDetails.id}/validation`, {
    token: h.api.tokens.ordonnateur,
    body: { eventId: randomUUID() },
  });
  const after = await h.api.call('GET', `/payment-orders?bdcId=${bdcId}`, { token: h.api.tokens.comptable });
  expect(after.body.orders[0]).toMatchObject({ bankDetailsChanged: true, bankDetails: { iban: NEW_IBAN } });

  const runId = `run-d-${randomUUID()}`;
  expect((await release(runId, [order!.id])).status).toBe(201);
  const xml = (await h.api.call('GET', `/payment-runs/${runId}/file`, { token: h.api.tokens.comptable })).body;
  expect(validateAgainst('pain.001.001.09.xsd', xml).ok).toBe(true);
  expect(transfersOf(xml)).toEqual([[endToEndId(`${bdcId}:advance`), '1752.00', NEW_IBAN]]);
  expect(xml).toContain('<CtrlSum>1752.00</CtrlSum>');
});

/** The bank's status report (pain.002.001.10) of a run: each transfer's status, a rejection's reason. */
const statusReport = (messageId: string, runMessageId: string, txs: [string, string, string?][]) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>${messageId}</MsgId><CreDtTm>2024-03-05T08:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>${runMessageId}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>${runMessageId}</OrgnlPmtInfId>
${txs
  .map(
    ([e2e, status, reason]) =>
      `      <TxInfAndSts><OrgnlEndToEndId>${e2e}</OrgnlEndToEndId><TxSts>${status}</TxSts>${reason ? `<StsRsnInf><Rsn><Cd>${reason}</Cd></Rsn></StsRsnInf>` : ''}</TxInfAndSts>`,
  )
  .join('\n')}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>`;

test("the bank's answer: a pain.002 pays one order and rejects another (account closed), which goes back to an ordonnateur, is validated again and paid by hand", async () => {
  const bdcIds = [(await h.register({ ogEssmsCount: 3 })).bdcId, (await h.register({ ogEssmsCount: 3 })).bdcId];
  const [paid, closed] = await validatedOrders(bdcIds);
  const runId = `run-e-${randomUUID()}`;
  const { run } = (await release(runId, [paid!.id, closed!.id])).body;
  const money = async () =>
    (
      await h.ledger.sql.query<Record<string, string>>(
        `SELECT bdc_id, paid_cents, to_release_cents, released_cents, bank_paid_cents, bank_rejected_cents
         FROM bdc_money WHERE bdc_id = ANY($1::text[])`,
        [bdcIds],
      )
    )
      .sort((a, b) => bdcIds.indexOf(a.bdc_id!) - bdcIds.indexOf(b.bdc_id!))
      .map(({ bdc_id: _, ...cents }) => Object.fromEntries(Object.entries(cents).map(([k, v]) => [k, Number(v)])));
  const cents = (to_release: number, released: number, bank_paid: number, bank_rejected: number) => ({
    paid_cents: ADVANCE, // ordered by the ordonnateurs: the ledger's order, whatever the bank did
    to_release_cents: to_release,
    released_cents: released,
    bank_paid_cents: bank_paid,
    bank_rejected_cents: bank_rejected,
  });
  expect(await money()).toEqual([cents(0, ADVANCE, 0, 0), cents(0, ADVANCE, 0, 0)]);

  const report = statusReport(`BANK-${randomUUID().slice(0, 8)}`, run.messageId, [
    [endToEndId(paid!.idempotencyKey), 'ACSC'],
    [endToEndId(closed!.idempotencyKey), 'RJCT', 'AC04'],
  ]);
  const importing = (file: string, token = h.api.tokens.comptable) =>
    h.api.call('POST', `/payment-runs/${runId}/status-report`, { token, body: { file } });
  expect((await importing(report, h.api.tokens.ordonnateur)).status).toBe(403);
  // a report answering another message: refused
  const other = await importing(statusReport('BANK-OTHER', 'SONS-ANOTHER-RUN', []));
  expect(other.status).toBe(422);
  expect(other.body.refusals).toEqual([expect.objectContaining({ code: 'status_report_other_run', path: 'file' })]);
  const imported = await importing(report);
  expect(imported.status).toBe(200);
  expect(imported.body).toMatchObject({ answered: 2, unchanged: 0 });
  // the same report again changes nothing
  expect((await importing(report)).body).toMatchObject({ answered: 0, unchanged: 2 });
  expect(await money()).toEqual([cents(0, 0, ADVANCE, 0), cents(0, 0, 0, ADVANCE)]);

  // back to the ordonnateurs: the rejected order, with the bank's reason
  const rejected = await h.api.call('GET', '/payment-orders?state=rejected', { token: h.api.tokens.ordonnateur });
  expect(rejected.body.orders.filter((o: Order) => bdcIds.includes(o.bdcId))).toEqual([
    expect.objectContaining({
      id: closed!.id,
      state: 'rejected',
      transfer: expect.objectContaining({ runId, outcome: 'rejected', reasonCode: 'AC04', answerSource: 'pain002' }),
    }),
  ]);
  // a paid order answered otherwise by hand: refused
  const contrary = await h.api.call('POST', `/payment-runs/${runId}/answers`, {
    token: h.api.tokens.comptable,
    body: { eventId: randomUUID(), answers: [{ orderId: paid!.id, outcome: 'rejected', reasonCode: 'AC01' }] },
  });
  expect(contrary.status).toBe(422);
  expect(contrary.body.refusals).toEqual([expect.objectContaining({ code: 'wrong_state', path: 'answers.0.outcome' })]);
  // a comptable cannot validate again; an ordonnateur does, and the order awaits a later run
  const revalidation = `/payment-orders/${closed!.id}/revalidation`;
  expect(
    (await h.api.call('POST', revalidation, { token: h.api.tokens.comptable, body: { eventId: randomUUID() } })).status,
  ).toBe(403);
  const again = await h.api.call('POST', revalidation, {
    token: h.api.tokens.ordonnateur2,
    body: { eventId: randomUUID() },
  });
  expect(again.status).toBe(200);
  expect(again.body.order).toMatchObject({ state: 'validated' });
  expect(await money()).toEqual([cents(0, 0, ADVANCE, 0), cents(ADVANCE, 0, 0, 0)]);

  // a later run pays it; the comptable enters the bank's answer by hand, a rejection needs its reason
  const laterId = `run-f-${randomUUID()}`;
  expect((await release(laterId, [closed!.id])).status).toBe(201);
  const noReason = await h.api.call('POST', `/payment-runs/${laterId}/answers`, {
    token: h.api.tokens.comptable,
    body: { eventId: randomUUID(), answers: [{ orderId: closed!.id, outcome: 'rejected' }] },
  });
  expect(noReason.body.refusals).toEqual([
    expect.objectContaining({ code: 'reason_required', path: 'answers.0.reasonCode' }),
  ]);
  const byHand = await h.api.call('POST', `/payment-runs/${laterId}/answers`, {
    token: h.api.tokens.comptable,
    body: { eventId: randomUUID(), answers: [{ orderId: closed!.id, outcome: 'paid' }] },
  });
  expect(byHand.body).toMatchObject({ answered: 1, unchanged: 0 });
  expect(await money()).toEqual([cents(0, 0, ADVANCE, 0), cents(0, 0, ADVANCE, 0)]);

  // the order's history: released, rejected (AC04), validated again, released, paid — who, when
  const events = await h.ledger.sql.query<{ state: string; actor: { id: string }; reason: string | null }>(
    'SELECT state, actor, reason FROM payment_order_events WHERE order_id = $1 ORDER BY seq',
    [closed!.id],
  );
  expect(events.map((e) => [e.state, e.actor.id, e.reason])).toEqual([
    ['released', 'compta-1', null],
    ['rejected', 'compta-1', 'AC04'],
    ['validated', 'ordo-2', null],
    ['released', 'compta-1', null],
    ['paid', 'compta-1', null],
  ]);
  // the BDC's page: its order, who proposed and validated it, each step after — the éditeur reads it too
  const page = await h.api.call('GET', `/bdcs/${closed!.bdcId}/payment-orders`, { token: h.api.tokens.acme });
  expect(page.status).toBe(200);
  expect(page.body.orders).toEqual([
    expect.objectContaining({
      id: closed!.id,
      kind: 'advance',
      amountCents: ADVANCE,
      state: 'paid',
      proposedBy: { role: 'system', id: expect.any(String) },
      validatedBy: [expect.objectContaining({ role: 'ordonnateur' })],
      events: [
        expect.objectContaining({ state: 'released', actor: { role: 'comptable', id: 'compta-1' } }),
        expect.objectContaining({ state: 'rejected', reason: 'AC04' }),
        expect.objectContaining({ state: 'validated', actor: { role: 'ordonnateur', id: 'ordo-2' } }),
        expect.objectContaining({ state: 'released', runId: laterId }),
        expect.objectContaining({ state: 'paid' }),
      ],
    }),
  ]);
  expect((await h.api.call('GET', `/bdcs/${closed!.bdcId}/payment-orders`, { token: h.api.tokens.rival })).status).toBe(
    404,
  );
  expect((await verifyJournal(h.ledger.sql, {})).mismatches).toEqual([]);
});

test('reports: orders counted by state with their cents, the runs and their control sums; a run tampered with is a difference', async () => {
  // what the tests above left: four released in runs A or B and C, one released in D, two paid (E, F)
  const report = async () => (await h.api.call('GET', '/reports/payments', { token: h.api.tokens.controleur })).body;
  expect((await h.api.call('GET', '/reports/payments', { token: h.api.tokens.acme })).status).toBe(403);
  expect(await report()).toEqual({
    orders: [
      { state: 'paid', count: 2, cents: 2 * ADVANCE },
      { state: 'released', count: 5, cents: 5 * ADVANCE },
    ],
    runs: { count: 5, transfers: 8, controlSumCents: 8 * ADVANCE },
    // the ordonnateurs on duty left nothing waiting for them
    awaitingValidation: {
      count: 0,
      cents: 0,
      ageing: ['0-1', '2-7', '8-30', '31+'].map((days) => ({ days, count: 0, cents: 0 })),
    },
    differences: [],
  });
  const [run] = await h.ledger.sql.query<{ run_id: string }>('SELECT run_id FROM payment_runs ORDER BY run_id LIMIT 1');
  await h.ledger.sql.query('UPDATE payment_runs SET control_sum_cents = control_sum_cents + 1 WHERE run_id = $1', [
    run!.run_id,
  ]);
  expect((await report()).differences).toEqual([expect.objectContaining({ runId: run!.run_id, kind: 'run_totals' })]);
});
