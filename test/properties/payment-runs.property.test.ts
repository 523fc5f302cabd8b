import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { postgresBackend } from '../support/database';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 24: the money property tests extended to payment runs. Random sequences of releases (alone,
// retried, or two at once sharing orders), the bank's answers (paid, rejected, sent twice) and
// ordonnateurs' revalidations, over real validated advances on PostgreSQL, where two releases really
// run at once. After every step the database must agree with a model written here, in cents: an order
// is in at most one run at a time, paid at most once, every run's count and control sum are its
// transfers'.
const h = harnessPerFile({ api: true, database: postgresBackend() });

const ADVANCE = 175_200; // DOMAIN.md's worked example: 30 % of 5 840,00 € (tranche B, two ESSMS)
const ORDERS = 8;
type State = 'validated' | 'released' | 'paid' | 'rejected';

let orderIds: number[] = [];
beforeAll(async () => {
  const bdcIds: string[] = [];
  for (let i = 0; i < ORDERS; i++) bdcIds.push((await h.register({ ogEssmsCount: 3 })).bdcId);
  orderIds = await eventually(
    async () => {
      const rows = await h.ledger.sql.query<{ id: string }>(
        "SELECT id FROM payment_orders WHERE bdc_id = ANY($1::text[]) AND state = 'validated' ORDER BY id",
        [bdcIds],
      );
      if (rows.length !== ORDERS) throw new Error(`${rows.length} of ${ORDERS} advances validated`);
      return rows.map((r) => Number(r.id));
    },
    { what: 'the advances validated by the ordonnateurs on duty', budgetMs: 180_000 },
  );
}, 240_000);

const pick = fc.uniqueArray(fc.nat(ORDERS - 1), { minLength: 1, maxLength: 4 });
type Op =
  | { op: 'release'; orders: number[]; retried: boolean }
  | { op: 'race'; a: number[]; b: number[] }
  | { op: 'answer'; order: number; outcome: 'paid' | 'rejected'; twice: boolean }
  | { op: 'revalidate'; order: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), orders: pick, retried: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('race' as const), a: pick, b: pick }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('answer' as const),
      order: fc.nat(ORDERS - 1),
      outcome: fc.constantFrom('paid' as const, 'rejected' as const),
      twice: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revalidate' as const), order: fc.nat(ORDERS - 1) }) },
);

const comptable = () => h.api.tokens.comptable;
const release = (runId: string, ids: number[]) =>
  h.api.call('POST', '/payment-runs', { token: comptable(), body: { runId, orderIds: ids } });

/** Each order's state and run as the database holds them. */
async function inDatabase(): Promise<Map<number, { state: State; runId: string | null }>> {
  const rows = await h.ledger.sql.query<{ id: string; state: State; run_id: string | null }>(
    'SELECT id, state, run_id FROM payment_orders WHERE id = ANY($1::int8[])',
    [orderIds],
  );
  return new Map(rows.map((r) => [Number(r.id), { state: r.state, runId: r.run_id }]));
}

/** What must hold after every step, whatever happened before. */
async function invariantsHold(model: Map<number, { state: State; runId: string | null }>) {
  // the database agrees with the model, order by order
  expect(Object.fromEntries(await inDatabase())).toEqual(Object.fromEntries(model));
  // runs, transfers and orders add up (the reconciliation's own check of the payments)
  expect(await (await h.engine()).payments.differences()).toEqual([]);
  const transfers = await h.ledger.sql.query<{
    order_id: string;
    run_id: string;
    outcome: string | null;
    cents: string;
  }>(
    'SELECT order_id, run_id, outcome, amount_cents AS cents FROM payment_transfers WHERE order_id = ANY($1::int8[])',
    [orderIds],
  );
  for (const id of orderIds) {
    const mine = transfers.filter((t) => Number(t.order_id) === id);
    const { state, runId } = model.get(id)!;
    // paid once at most, and for its amount
    expect(mine.filter((t) => t.outcome === 'paid').map((t) => Number(t.cents))).toEqual(
      state === 'paid' ? [ADVANCE] : [],
    );
    // in at most one run awaiting the bank's answer: the one the order names
    expect(mine.filter((t) => t.outcome === null).map((t) => t.run_id)).toEqual(state === 'released' ? [runId] : []);
    // every earlier run of it ended in a rejection
    expect(mine.filter((t) => t.outcome !== null && t.outcome !== 'paid').every((t) => t.outcome === 'rejected')).toBe(
      true,
    );
  }
  // the cents paid: the model's count of paid orders times an advance
  const [paid] = await h.ledger.sql.query<{ cents: string }>(
    "SELECT COALESCE(sum(amount_cents), 0)::int8 AS cents FROM payment_transfers WHERE outcome = 'paid' AND order_id = ANY($1::int8[])",
    [orderIds],
  );
  expect(Number(paid!.cents)).toBe([...model.values()].filter((o) => o.state === 'paid').length * ADVANCE);
}

test('any sequence of releases, races, bank answers and revalidations keeps each order in one run and paid once', async () => {
  let steps = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 12 }), async (ops) => {
      // the model starts where the previous sequence left the orders
      const model = await inDatabase();
      const ids = (picked: number[]) => picked.map((i) => orderIds[i]!);
      const releasable = (picked: number[]) => ids(picked).every((id) => model.get(id)!.state === 'validated');
      // each order's latest transfer: its run, and the bank's answer to it so far
      const transfers = new Map<number, { run: string; outcome: 'paid' | 'rejected' | null }>();
      for (const [id, { runId }] of model) {
        const [t] = await h.ledger.sql.query<{ outcome: 'paid' | 'rejected' | null }>(
          'SELECT outcome FROM payment_transfers WHERE run_id = $1 AND order_id = $2',
          [runId, id],
        );
        if (runId && t) transfers.set(id, { run: runId, outcome: t.outcome });
      }
      const released = (runId: string, picked: number[]) => {
        for (const id of ids(picked)) {
          model.set(id, { state: 'released', runId });
          transfers.set(id, { run: runId, outcome: null });
        }
      };
      for (const op of ops) {
        steps++;
        if (op.op === 'release') {
          const runId = `prop-${randomUUID()}`;
          const first = await release(runId, ids(op.orders));
          expect(first.status).toBe(releasable(op.orders) ? 201 : 409);
          if (op.retried) {
            // the same release again (a retry after a lost answer): answered as the first, nothing twice
            const again = await release(runId, ids(op.orders).reverse());
            expect(again.status).toBe(first.status);
            if (first.status === 201) expect(again.body.run).toEqual(first.body.run);
          }
          if (first.status === 201) {
            released(runId, op.orders);
            expect(first.body.run).toMatchObject({
              transfers: op.orders.length,
              controlSumCents: op.orders.length * ADVANCE,
            });
          }
        } else if (op.op === 'race') {
          // two comptables release at once: orders they share go to one run only
          const [runA, runB] = [`prop-a-${randomUUID()}`, `prop-b-${randomUUID()}`];
          const [a, b] = await Promise.all([release(runA, ids(op.a)), release(runB, ids(op.b))]);
          const shared = op.a.some((i) => op.b.includes(i));
          const won = [a, b].filter((r) => r.status === 201).length;
          if (!releasable(op.a) && !releasable(op.b)) expect(won).toBe(0);
          else if (shared || !releasable(op.a) || !releasable(op.b)) expect(won).toBe(1);
          else expect(won).toBe(2);
          if (a.status === 201) released(runA, op.a);
          if (b.status === 201) released(runB, op.b);
          for (const r of [a, b]) expect([201, 409]).toContain(r.status);
        } else if (op.op === 'answer') {
          // the bank answers for the order's latest transfer (an order never released has none)
          const id = orderIds[op.order]!;
          const { state, runId } = model.get(id)!;
          const last = transfers.get(id);
          if (!last) continue;
          const body = {
            eventId: randomUUID(),
            answers: [
              { orderId: id, outcome: op.outcome, ...(op.outcome === 'rejected' ? { reasonCode: 'AC04' } : {}) },
            ],
          };
          const send = () =>
            h.api.call('POST', `/payment-runs/${encodeURIComponent(last.run)}/answers`, { token: comptable(), body });
          const answered = await send();
          if (last.outcome === null) {
            expect([state, runId, answered.status, answered.body]).toEqual([
              'released',
              last.run,
              200,
              { answered: 1, unchanged: 0 },
            ]);
            model.set(id, { state: op.outcome, runId });
            transfers.set(id, { run: last.run, outcome: op.outcome });
          } else if (last.outcome === op.outcome)
            expect([answered.status, answered.body]).toEqual([200, { answered: 0, unchanged: 1 }]);
          else expect(answered.status).toBe(422);
          // the same answer sent again (a retry): nothing moves twice
          if (op.twice) {
            const again = await send();
            expect(again.status).toBe(answered.status);
            if (again.status === 200) expect(again.body).toEqual({ answered: 0, unchanged: 1 });
          }
        } else {
          const id = orderIds[op.order]!;
          const back = await h.api.call('POST', `/payment-orders/${id}/revalidation`, {
            token: h.api.tokens.ordonnateur2,
            body: { eventId: randomUUID() },
          });
          if (model.get(id)!.state === 'rejected') {
            expect(back.status).toBe(200);
            model.set(id, { state: 'validated', runId: null });
          } else expect([409, 422]).toContain(back.status);
        }
        await invariantsHold(model);
      }
    }),
    { numRuns: 12, endOnFailure: true },
  );
  process.stdout.write(`[property] payment runs: 12 sequences, ${steps} steps, every invariant held\n`);
  expect(steps).toBeGreaterThan(0);
}, 600_000);
