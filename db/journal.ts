import { entryCanonical, GENESIS, leafOf, linkHash } from '../domain/journal-chain';
import type { Sql, Tx } from './sql';

/**
 * The tamper-evident journal: one chain over every fact the record and the ledger write. A writer
 * appends a fact's entry in the transaction that writes the fact (`journal.append`); the entries of a
 * transaction are chained just before it commits, under the lock of the journal's head (one row) —
 * the one serial point, held from the entries' insert to the commit only. So a crash leaves the fact
 * and its entry both or neither, two writers never take the same number (no fork) and a rolled-back
 * writer leaves no hole (no gap): the head moves in the writer's own transaction.
 */

export interface JournalFact {
  /** what the entry records: `ledger.payment_order`, `bdc.audit`… (db/journal-facts.ts), or a new kind */
  kind: string;
  /** which fact of its kind: the latest entry of a (kind, subject) describes the fact as it stands */
  subject: string;
  /** the BDC the fact belongs to, when it does: a BDC's export takes its entries */
  bdcId?: string;
  /** the fact itself, as JSON; kept in its canonical form */
  content: unknown;
}

export interface JournalEntry {
  seq: number;
  kind: string;
  subject: string;
  bdcId?: string;
  canonical: string;
  prevHash: string;
  hash: string;
}

const queued = new WeakMap<Tx, JournalFact[]>();

/** Switched off only by the benchmark that measures what the journal costs (scripts/bench/journal.ts). */
let journalling = true;
export function measureWithoutJournal(off: boolean): void {
  journalling = !off;
}

export const journal = {
  /**
   * Appends a fact's entry to the journal, in the transaction `tx` that writes the fact: chained just
   * before `tx` commits, after every other statement of it (db/sql.ts beforeCommit). Adding a fact to
   * the journal is this one call where the fact is written.
   */
  append(tx: Tx, fact: JournalFact): void {
    if (!journalling) return;
    let facts = queued.get(tx);
    if (!facts) {
      facts = [];
      queued.set(tx, facts);
      tx.beforeCommit(() => chain(tx, facts!));
    }
    facts.push(fact);
  },
};

/**
 * The transaction's entries, numbered after the head and chained to it, in one statement that moves
 * the head: the head's row lock (FOR UPDATE) is the serial point, taken last so that it is held for
 * the insert and the commit only, and never while the writer waits for another lock (no deadlock).
 */
async function chain(tx: Tx, facts: JournalFact[]): Promise<void> {
  queued.delete(tx);
  if (!facts.length) return;
  const [head] = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM journal_head FOR UPDATE');
  let seq = Number(head!.seq);
  let hash = head!.hash;
  const at = new Date().toISOString();
  const columns: unknown[][] = [[], [], [], [], [], [], []];
  for (const f of facts) {
    seq += 1;
    const canonical = entryCanonical({ seq, at, kind: f.kind, subject: f.subject, bdcId: f.bdcId, content: f.content });
    const prev = hash;
    hash = linkHash(prev, leafOf(canonical));
    [seq, f.kind, f.subject, f.bdcId ?? null, canonical, prev, hash].forEach((v, i) => columns[i]!.push(v));
  }
  await tx.query(
    `WITH moved AS (UPDATE journal_head SET seq = $8, hash = $9 RETURNING 1)
     INSERT INTO journal (seq, kind, subject, bdc_id, canonical, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WHERE EXISTS (SELECT 1 FROM moved)`,
    [...columns, seq, hash],
  );
}

const readEntry = (r: Record<string, unknown>): JournalEntry => ({
  seq: Number(r.seq),
  kind: String(r.kind),
  subject: String(r.subject),
  ...(r.bdc_id ? { bdcId: String(r.bdc_id) } : {}),
  canonical: String(r.canonical),
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
});

/** Reads of the journal: its head, its entries by number or by BDC. */
export class JournalStore {
  constructor(readonly sql: Sql) {}

  async head(): Promise<{ journalId: string; seq: number; hash: string }> {
    const [h] = await this.sql.query<{ journal_id: string; seq: number; hash: string }>(
      'SELECT journal_id, seq, hash FROM journal_head',
    );
    return h ? { journalId: h.journal_id, seq: Number(h.seq), hash: h.hash } : { journalId: '', seq: 0, hash: GENESIS };
  }

  /** Entries from `from` on (inclusive), at most `limit`, in order. */
  async entries(from: number, limit: number, to = Number.MAX_SAFE_INTEGER): Promise<JournalEntry[]> {
    return (
      await this.sql.query('SELECT * FROM journal WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3', [
        from,
        to,
        limit,
      ])
    ).map(readEntry);
  }

  /** The numbers of a BDC's entries, in order. */
  async seqsOfBdc(bdcId: string): Promise<number[]> {
    return (
      await this.sql.query<{ seq: number }>('SELECT seq FROM journal WHERE bdc_id = $1 ORDER BY seq', [bdcId])
    ).map((r) => Number(r.seq));
  }

  /** The latest entry of a BDC (what its page says was verified or not yet). */
  async lastSeqOfBdc(bdcId: string): Promise<number | undefined> {
    const [r] = await this.sql.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM journal WHERE bdc_id = $1', [
      bdcId,
    ]);
    return r?.seq == null ? undefined : Number(r.seq);
  }
}
