import { randomUUID } from 'node:crypto';
import { JournalSigner, newJournalKey } from '../../client/journal-keys';
import { signCheckpoint } from '../../client/journal-keeper';
import { verifyJournal } from '../../client/journal-verify';
import { GENESIS, leafOf, linkHash } from '../../domain/journal-chain';
import { JournalStore } from '../../db/journal';
import { Ledger } from '../../db/ledger';
import { openPostgres } from '../../db/postgres';
import type { Sql } from '../../db/sql';
import { freshFiness } from '../support/bdc-fixtures';
import { enrolInDatabase } from '../../scripts/samples/enrolment';
import { backends, openTestDatabase, postgresBackend } from '../support/database';

/**
 * The journal as the ledger's writers feed it, on both backends: each fact's entry in the fact's own
 * transaction, chained; a crash between them leaves both or neither; writers at once (two pools on
 * one PostgreSQL, as two engine processes) keep one chain without a fork or a gap.
 */
const signer = new JournalSigner({ current: 'k1', keys: { k1: newJournalKey() } });

async function registered(ledger: Ledger, ceilingCents = 584_000) {
  const bdcId = `bdc-j-${randomUUID().slice(0, 8)}`;
  // no order is written for an éditeur not enrolled
  await enrolInDatabase(ledger.sql, 'editeur-acme');
  await ledger.registerBdc({
    bdcId,
    editeurId: 'editeur-acme',
    campaignId: 'vague1-ms1',
    ogFiness: freshFiness(),
    essms: [freshFiness(), freshFiness()],
    ceilingCents,
  });
  return bdcId;
}

/** The chain recomputed from the entries as stored: every number once, each hash its content's and its predecessor's. */
async function chainHolds(sql: Sql): Promise<number> {
  const entries = await new JournalStore(sql).entries(1, 1_000_000);
  let prev = GENESIS;
  entries.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    expect(e.prevHash).toBe(prev);
    expect(e.hash).toBe(linkHash(prev, leafOf(e.canonical)));
    prev = e.hash;
  });
  expect(await new JournalStore(sql).head()).toMatchObject({ seq: entries.length, hash: prev });
  return entries.length;
}

describe.each(backends)('the journal on $name', (backend) => {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = (await openTestDatabase(backend)).ledger;
  });
  afterAll(() => ledger?.sql.close());

  test('each money record is journaled in its transaction, its entry the record as the database holds it', async () => {
    const bdcId = await registered(ledger);
    await ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance',
      amountCents: 175_200,
    });
    // a retry writes nothing, and journals nothing
    await ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance',
      amountCents: 175_200,
    });
    await ledger.issueReimbursementDemand({
      idempotencyKey: `${bdcId}:reimbursement`,
      bdcId,
      amountCents: 175_200,
      reason: 'caducité',
      dueAt: '2026-12-23T22:59:59.999Z',
    });
    await ledger.recordReimbursementReceipt({
      idempotencyKey: `${bdcId}:receipt:e1`,
      bdcId,
      amountCents: 100_000,
      receivedAt: '2026-12-01T10:00:00.000Z',
    });
    await ledger.writeOff({
      idempotencyKey: `${bdcId}:write-off`,
      bdcId,
      amountCents: 75_200,
      reason: 'irrécouvrable',
    });
    await ledger.releaseEssmsClaims(bdcId);

    const mine = (await new JournalStore(ledger.sql).entries(1, 10_000)).filter((e) => e.bdcId === bdcId);
    expect(mine.map((e) => e.kind)).toEqual([
      'bdc.registered',
      'ledger.claims',
      'ledger.payment_order',
      'ledger.demand',
      'ledger.receipt',
      'ledger.write_off',
      'ledger.claims',
    ]);
    const order = JSON.parse(mine[2]!.canonical);
    expect(order).toMatchObject({
      kind: 'ledger.payment_order',
      subject: `${bdcId}:advance`,
      bdcId,
      content: { idempotency_key: `${bdcId}:advance`, kind: 'advance', amount_cents: 175_200 },
    });
    expect(JSON.parse(mine[6]!.canonical).content).toEqual({ bdc_id: bdcId, claims: [] });
    await chainHolds(ledger.sql);
    expect((await verifyJournal(ledger.sql, signer.publicKeys())).mismatches).toEqual([]);
  });

  test('a crash between the fact and its entry leaves both or neither', async () => {
    const bdcId = await registered(ledger);
    const before = await new JournalStore(ledger.sql).head();
    // the journal cannot take the entry: the payment order is not written either
    await ledger.sql.exec('ALTER TABLE journal ADD CONSTRAINT journal_full CHECK (seq < 0) NOT VALID');
    await expect(
      ledger.issuePaymentOrder({ idempotencyKey: `${bdcId}:advance`, bdcId, kind: 'advance', amountCents: 175_200 }),
    ).rejects.toThrow(/journal_full/);
    await ledger.sql.exec('ALTER TABLE journal DROP CONSTRAINT journal_full');
    expect((await ledger.entries(bdcId)).get(bdcId)?.paymentOrders ?? []).toEqual([]);
    expect(await new JournalStore(ledger.sql).head()).toEqual(before);

    // the entry written, the transaction dies before its commit: neither is there
    await expect(
      ledger.sql.transaction(async (tx) => {
        await new Ledger(tx).issuePaymentOrder({
          idempotencyKey: `${bdcId}:advance`,
          bdcId,
          kind: 'advance',
          amountCents: 175_200,
        });
        tx.beforeCommit(async () => {
          // the journal's entries are in (its hook ran first): the process dies here
          const [written] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM journal WHERE bdc_id = $1', [
            bdcId,
          ]);
          expect(written!.n).toBe(3);
          // PostgreSQL: the connection is killed as a crash would leave it; PGlite: the process's last words
          if (tx.backend === 'postgres') await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
          throw new Error('the process died before the commit');
        });
      }),
    ).rejects.toThrow(/died|terminat/);
    expect((await ledger.entries(bdcId)).get(bdcId)?.paymentOrders ?? []).toEqual([]);
    expect(await new JournalStore(ledger.sql).head()).toEqual(before);

    // and written at last, both are
    await ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance',
      amountCents: 175_200,
    });
    expect((await new JournalStore(ledger.sql).head()).seq).toBe(before.seq + 1);
    await chainHolds(ledger.sql);
    expect((await verifyJournal(ledger.sql, signer.publicKeys())).mismatches).toEqual([]);
  });

  test('a checkpoint signs the head, numbered, and the verification checks it', async () => {
    await registered(ledger);
    const c1 = await signCheckpoint(ledger.sql, signer, 'test');
    const head = await new JournalStore(ledger.sql).head();
    expect(c1).toMatchObject({ seq: head.seq, hash: head.hash, keyId: 'k1' });
    // nothing moved: an interval's checkpoint signs nothing more
    expect(await signCheckpoint(ledger.sql, signer, 'interval', { onlyIfMoved: true })).toBeUndefined();
    await registered(ledger);
    const c2 = await signCheckpoint(ledger.sql, signer, 'interval', { onlyIfMoved: true });
    expect(c2!.n).toBe(c1!.n + 1);
    const outcome = await verifyJournal(ledger.sql, signer.publicKeys());
    expect(outcome).toMatchObject({ mismatches: [], checkpoints: c2!.n });
  });
});

describe('writers at once on one PostgreSQL', () => {
  test('two engine processes writing at once keep one chain: no fork, no gap', async () => {
    const { ledger: first, url } = await openTestDatabase(postgresBackend());
    const second = new Ledger(openPostgres(url!, 10));
    try {
      // each "process" registers BDCs and pays their advance, ten at a time, while the other does
      const work = (ledger: Ledger) =>
        Promise.all(
          Array.from({ length: 10 }, async () => {
            for (let i = 0; i < 5; i++) {
              const bdcId = await registered(ledger);
              await ledger.issuePaymentOrder({
                idempotencyKey: `${bdcId}:advance`,
                bdcId,
                kind: 'advance',
                amountCents: 175_200,
              });
            }
          }),
        );
      // the éditeur paid is enrolled first: its enrolment, bank details proposed, then validated
      await enrolInDatabase(first.sql, 'editeur-acme');
      await Promise.all([work(first), work(second)]);
      // then 100 BDCs: registered, claims, advance — three entries each
      expect(await chainHolds(first.sql)).toBe(3 + 300);
      expect((await verifyJournal(first.sql, signer.publicKeys())).mismatches).toEqual([]);
    } finally {
      await first.sql.close();
      await second.sql.close();
    }
  });
});
