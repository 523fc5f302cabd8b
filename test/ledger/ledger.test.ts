import { RefusedError } from '../../domain/refusal';
import type { Ledger } from '../../db/ledger';
import { migrate } from '../../db/migrations';
import { freshFiness } from '../support/bdc-fixtures';
import { backends, openLedger } from '../support/database';

describe.each(backends)('ledger on $name', (backend) => {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await openLedger(backend);
  });
  afterAll(() => ledger?.sql.close());

  async function registered(essmsCount = 2) {
    const bdcId = `bdc-test-${Math.random().toString(36).slice(2, 10)}`;
    const essms = Array.from({ length: essmsCount }, freshFiness);
    await ledger.registerBdc({
      bdcId,
      editeurId: 'editeur-acme',
      campaignId: 'vague1-ms1',
      ogFiness: freshFiness(),
      essms,
      ceilingCents: 584_000,
    });
    return { bdcId, essms };
  }

  /** A BDC registered and paid its advance: what a demand may ask back. */
  async function advanced(amountCents = 175_200) {
    const registration = await registered();
    const { bdcId } = registration;
    await ledger.issuePaymentOrder({ idempotencyKey: `${bdcId}:advance`, bdcId, kind: 'advance', amountCents });
    return registration;
  }

  async function refusal(p: Promise<unknown>) {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RefusedError);
    return (err as RefusedError).refusals;
  }

  async function count(table: string, bdcId: string) {
    const [row] = await ledger.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE bdc_id = $1`, [
      bdcId,
    ]);
    return row!.n;
  }

  test('the ledger keeps its bounds whatever its callers: an order within the ceiling, a demand within what is held, a receipt or a write-off within what is due', async () => {
    const { bdcId } = await advanced(500_000);
    const codes = async (p: Promise<unknown>) => (await refusal(p)).map((r) => r.code);
    expect(
      await codes(
        ledger.issuePaymentOrder({ idempotencyKey: `${bdcId}:balance`, bdcId, kind: 'balance', amountCents: 84_001 }),
      ),
    ).toEqual(['over_ceiling']);
    const demand = { bdcId, reason: 'r', dueAt: '2026-12-23T22:59:59.999Z' };
    await ledger.issueReimbursementDemand({
      ...demand,
      idempotencyKey: `${bdcId}:reimbursement`,
      amountCents: 157_000,
    });
    // 500,00 € paid, 157,00 € already demanded back: a recovery of 400,00 € would ask back more than is held
    expect(
      await codes(
        ledger.issueReimbursementDemand({
          ...demand,
          idempotencyKey: `${bdcId}:recovery:c-1`,
          controlId: 'c-1',
          amountCents: 400_000,
        }),
      ),
    ).toEqual(['demand_exceeds_held']);
    await ledger.issueReimbursementDemand({
      ...demand,
      idempotencyKey: `${bdcId}:recovery:c-1`,
      controlId: 'c-1',
      amountCents: 343_000,
    });
    // the same demand again is answered, not refused
    expect(
      (
        await ledger.issueReimbursementDemand({
          ...demand,
          idempotencyKey: `${bdcId}:recovery:c-1`,
          controlId: 'c-1',
          amountCents: 343_000,
        })
      ).created,
    ).toBe(false);
    await ledger.recordReimbursementReceipt({
      idempotencyKey: `${bdcId}:receipt:e-1`,
      bdcId,
      amountCents: 100_000,
      receivedAt: '2026-12-01T10:00:00Z',
    });
    expect(
      await codes(
        ledger.recordReimbursementReceipt({
          idempotencyKey: `${bdcId}:receipt:e-2`,
          bdcId,
          amountCents: 57_001,
          receivedAt: '2026-12-01T10:00:00Z',
        }),
      ),
    ).toEqual(['more_than_due']);
    expect(
      await codes(ledger.writeOff({ idempotencyKey: `${bdcId}:write-off`, bdcId, amountCents: 57_001, reason: 'r' })),
    ).toEqual(['more_than_due']);
    await ledger.writeOff({ idempotencyKey: `${bdcId}:write-off`, bdcId, amountCents: 57_000, reason: 'r' });
  });

  test('migrations are applied once: a second run has nothing to do', async () => {
    expect(await migrate(ledger.sql)).toEqual([]);
  });

  test('a second write with the same key returns the first record', async () => {
    const { bdcId } = await registered();
    const order = { idempotencyKey: `${bdcId}:advance`, bdcId, kind: 'advance' as const, amountCents: 175_200 };
    const first = await ledger.issuePaymentOrder(order);
    const second = await ledger.issuePaymentOrder(order);
    expect(first.created).toBe(true);
    expect(second).toEqual({ record: first.record, created: false });
    expect(await count('payment_orders', bdcId)).toBe(1);
  });

  test('the same key with different content is refused, and nothing changes', async () => {
    const { bdcId } = await registered();
    await ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance',
      amountCents: 175_200,
    });
    const refusals = await refusal(
      ledger.issuePaymentOrder({ idempotencyKey: `${bdcId}:advance`, bdcId, kind: 'advance', amountCents: 175_201 }),
    );
    expect(refusals[0]).toMatchObject({ code: 'idempotency_conflict', path: 'idempotencyKey' });
    const orders = (await ledger.entries(bdcId)).get(bdcId)!.paymentOrders;
    expect(orders.map((o) => o.amountCents)).toEqual([175_200]);
  });

  test('a second advance under another key is refused: one advance per BDC whatever the key', async () => {
    const { bdcId } = await registered();
    await ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance',
      amountCents: 175_200,
    });
    const refusals = await refusal(
      ledger.issuePaymentOrder({
        idempotencyKey: `${bdcId}:advance:again`,
        bdcId,
        kind: 'advance',
        amountCents: 175_200,
      }),
    );
    expect(refusals[0]!.code).toBe('duplicate_effect');
    expect(await count('payment_orders', bdcId)).toBe(1);
  });

  test.each([
    ['zero', 0, 'amountCents'],
    ['negative', -100, 'amountCents'],
    ['fractional cents', 12.5, 'amountCents'],
    ['a string', '1752.00', 'amountCents'],
  ])('an amount that is %s is refused with its field, nothing written', async (_what, amountCents, path) => {
    const { bdcId } = await registered();
    const refusals = await refusal(
      ledger.issuePaymentOrder({ idempotencyKey: `${bdcId}:advance`, bdcId, kind: 'advance', amountCents }),
    );
    expect(refusals[0]).toMatchObject({ path, value: amountCents });
    expect(refusals[0]!.message).toMatch(/\w/);
    expect(await count('payment_orders', bdcId)).toBe(0);
  });

  test('an unknown BDC and a malformed key are refused, nothing written', async () => {
    expect(
      (
        await refusal(
          ledger.issuePaymentOrder({
            idempotencyKey: 'bdc-nobody:advance',
            bdcId: 'bdc-nobody',
            kind: 'advance',
            amountCents: 100,
          }),
        )
      )[0],
    ).toMatchObject({ code: 'unknown_bdc', path: 'bdcId', value: 'bdc-nobody' });
    const { bdcId } = await registered();
    expect(
      (
        await refusal(ledger.issuePaymentOrder({ idempotencyKey: 'advance', bdcId, kind: 'advance', amountCents: 100 }))
      )[0],
    ).toMatchObject({ path: 'idempotencyKey' });
    expect(
      (
        await refusal(
          ledger.issuePaymentOrder({ idempotencyKey: 'bdc-other:advance', bdcId, kind: 'advance', amountCents: 100 }),
        )
      )[0],
    ).toMatchObject({ path: 'idempotencyKey', message: 'expected <bdcId>:<effect>[:<event id>]' });
    expect(await count('payment_orders', bdcId)).toBe(0);
  });

  test('50 parallel writes of the same key give one record', async () => {
    const { bdcId } = await advanced();
    const demand = {
      idempotencyKey: `${bdcId}:reimbursement`,
      bdcId,
      amountCents: 175_200,
      reason: 'lapsed',
      dueAt: '2026-12-23T22:59:59.999Z',
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => ledger.issueReimbursementDemand(demand)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
    expect(await count('reimbursement_demands', bdcId)).toBe(1);
  });

  test('a receipt needs a demand, and is keyed by its event', async () => {
    const { bdcId } = await advanced();
    const receipt = {
      idempotencyKey: `${bdcId}:receipt:evt-1`,
      bdcId,
      amountCents: 100_000,
      receivedAt: '2026-11-02T10:00:00Z',
    };
    expect((await refusal(ledger.recordReimbursementReceipt(receipt)))[0]!.code).toBe('no_reimbursement_demand');
    await ledger.issueReimbursementDemand({
      idempotencyKey: `${bdcId}:reimbursement`,
      bdcId,
      amountCents: 175_200,
      reason: 'lapsed',
      dueAt: '2026-12-23T22:59:59.999Z',
    });
    await ledger.recordReimbursementReceipt(receipt);
    await ledger.recordReimbursementReceipt(receipt);
    await ledger.recordReimbursementReceipt({
      ...receipt,
      idempotencyKey: `${bdcId}:receipt:evt-2`,
      amountCents: 75_200,
    });
    const entry = (await ledger.entries(bdcId)).get(bdcId)!;
    expect(entry.receipts.map((r) => r.amountCents)).toEqual([100_000, 75_200]);
  });

  test('an ESSMS held by a live BDC refuses the whole registration, naming both', async () => {
    const holder = await registered(2);
    const other = freshFiness();
    const bdcId = 'bdc-test-overlap';
    const refusals = await refusal(
      ledger.registerBdc({
        bdcId,
        editeurId: 'editeur-b',
        campaignId: 'vague1-ms1',
        ogFiness: freshFiness(),
        essms: [other, holder.essms[1]!],
        ceilingCents: 584_000,
      }),
    );
    expect(refusals[0]).toMatchObject({ code: 'essms_already_financed', path: 'essms.1', value: holder.essms[1] });
    expect(refusals[0]!.message).toBe(`ESSMS ${holder.essms[1]} is already financed by BDC ${holder.bdcId}`);
    // all or none: neither the BDC nor its free ESSMS were kept
    expect(await ledger.claimsOf(bdcId)).toEqual([]);
    expect(await ledger.sql.query('SELECT 1 FROM bdcs WHERE bdc_id = $1', [bdcId])).toHaveLength(0);
  });

  test('50 parallel overlapping registrations: exactly one wins each ESSMS', async () => {
    const shared = [freshFiness(), freshFiness()];
    const attempts = Array.from({ length: 50 }, (_, i) =>
      ledger
        .registerBdc({
          bdcId: `bdc-race-${backend.name}-${i}`,
          editeurId: 'editeur-acme',
          campaignId: 'vague1-ms1',
          ogFiness: freshFiness(),
          essms: [...shared, freshFiness()],
          ceilingCents: 100_000,
        })
        .then(
          () => 'won',
          (e: RefusedError) => e.refusals[0]!.code,
        ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(new Set(outcomes.filter((o) => o !== 'won'))).toEqual(new Set(['essms_already_financed']));
    const holders = await ledger.sql.query<{ bdc_id: string }>(
      'SELECT DISTINCT bdc_id FROM essms_claims WHERE essms_finess = ANY($1::text[])',
      [shared],
    );
    expect(holders).toHaveLength(1);
  });

  test('released claims free the ESSMS for another BDC', async () => {
    const first = await registered(1);
    expect(await ledger.releaseEssmsClaims(first.bdcId)).toBe(1);
    await ledger.registerBdc({
      bdcId: 'bdc-test-after-release-' + backend.name,
      editeurId: 'editeur-b',
      campaignId: 'vague1-ms1',
      ogFiness: freshFiness(),
      essms: first.essms,
      ceilingCents: 400_000,
    });
    expect(await ledger.claimsOf('bdc-test-after-release-' + backend.name)).toEqual(first.essms);
  });
});
