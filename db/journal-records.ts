import type { Sql, Tx } from './sql';

/**
 * What the journal's keeper records about the journal: the public keys it signs with, the signed
 * checkpoints, the checkpoints asked for, the verifications (asked for or daily) and their outcome.
 */

export interface Checkpoint {
  n: number;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
  statement: string;
  signature: string;
  requestedBy: string;
}

export interface Mismatch {
  /** the first entry it concerns, when it concerns one */
  seq?: number;
  code: string;
  kind?: string;
  subject?: string;
  what: string;
}

export interface Verification {
  id: number;
  requestedBy: string;
  requestedAt: string;
  status: 'requested' | 'running' | 'ok' | 'mismatch' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  verifiedSeq?: number;
  verifiedHash?: string;
  entries?: number;
  facts?: number;
  checkpoints?: number;
  mismatches?: number;
  firstMismatch?: Mismatch;
  mismatchList?: Mismatch[];
  failure?: string;
}

export interface VerificationOutcome {
  verifiedSeq: number;
  verifiedHash: string;
  entries: number;
  facts: number;
  checkpoints: number;
  mismatches: Mismatch[];
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const readCheckpoint = (r: Record<string, unknown>): Checkpoint => ({
  n: Number(r.n),
  seq: Number(r.seq),
  hash: String(r.hash),
  signedAt: iso(r.signed_at),
  keyId: String(r.key_id),
  statement: String(r.statement),
  signature: String(r.signature),
  requestedBy: String(r.requested_by),
});

const readVerification = (r: Record<string, unknown>): Verification => ({
  id: Number(r.id),
  requestedBy: String(r.requested_by),
  requestedAt: iso(r.requested_at),
  status: r.status as Verification['status'],
  ...(r.started_at ? { startedAt: iso(r.started_at) } : {}),
  ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
  ...(r.verified_seq != null ? { verifiedSeq: Number(r.verified_seq) } : {}),
  ...(r.verified_hash ? { verifiedHash: String(r.verified_hash) } : {}),
  ...(r.entries != null ? { entries: Number(r.entries) } : {}),
  ...(r.facts != null ? { facts: Number(r.facts) } : {}),
  ...(r.checkpoints != null ? { checkpoints: Number(r.checkpoints) } : {}),
  ...(r.mismatches != null ? { mismatches: Number(r.mismatches) } : {}),
  ...(r.first_mismatch ? { firstMismatch: parse<Mismatch>(r.first_mismatch) } : {}),
  ...(r.mismatch_list ? { mismatchList: parse<Mismatch[]>(r.mismatch_list) } : {}),
  ...(r.failure ? { failure: String(r.failure) } : {}),
});

/** A verification not taken back for this long is its dead worker's: taken again. */
const VERIFICATION_HOLD = "interval '30 minutes'";
const REQUEST_HOLD = "interval '2 minutes'";

export class JournalRecords {
  constructor(readonly sql: Sql) {}

  /** The public keys the worker signs with; a key id kept with another key is answered, never replaced. */
  async registerKeys(keys: Record<string, string>): Promise<{ keyId: string; recorded: string }[]> {
    const differing: { keyId: string; recorded: string }[] = [];
    for (const [keyId, publicKey] of Object.entries(keys)) {
      await this.sql.query('INSERT INTO journal_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        keyId,
        publicKey,
      ]);
      const [row] = await this.sql.query<{ public_key: string }>(
        'SELECT public_key FROM journal_keys WHERE key_id = $1',
        [keyId],
      );
      if (row && row.public_key !== publicKey) differing.push({ keyId, recorded: row.public_key });
    }
    return differing;
  }

  async keys(): Promise<Record<string, string>> {
    const rows = await this.sql.query<{ key_id: string; public_key: string }>(
      'SELECT key_id, public_key FROM journal_keys ORDER BY key_id',
    );
    return Object.fromEntries(rows.map((r) => [r.key_id, r.public_key]));
  }

  async lastCheckpoint(): Promise<Checkpoint | undefined> {
    const [r] = await this.sql.query('SELECT * FROM journal_checkpoints ORDER BY n DESC LIMIT 1');
    return r ? readCheckpoint(r) : undefined;
  }

  async checkpoints(options: { limit?: number; fromSeq?: number; toSeq?: number } = {}): Promise<Checkpoint[]> {
    const rows = await this.sql.query(
      'SELECT * FROM journal_checkpoints WHERE seq >= $1 AND seq <= $2 ORDER BY n LIMIT $3',
      [options.fromSeq ?? 0, options.toSeq ?? Number.MAX_SAFE_INTEGER, options.limit ?? 1_000_000],
    );
    return rows.map(readCheckpoint);
  }

  async latestCheckpoints(limit: number): Promise<Checkpoint[]> {
    return (await this.sql.query('SELECT * FROM journal_checkpoints ORDER BY n DESC LIMIT $1', [limit])).map(
      readCheckpoint,
    );
  }

  /** The first checkpoint at or after an entry (the one that proves it), if one was signed since. */
  async checkpointCovering(seq: number): Promise<Checkpoint | undefined> {
    const [r] = await this.sql.query('SELECT * FROM journal_checkpoints WHERE seq >= $1 ORDER BY n LIMIT 1', [seq]);
    return r ? readCheckpoint(r) : undefined;
  }

  async insertCheckpoint(tx: Tx, c: Checkpoint): Promise<void> {
    await tx.query(
      'INSERT INTO journal_checkpoints (n, seq, hash, signed_at, key_id, statement, signature, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [c.n, c.seq, c.hash, c.signedAt, c.keyId, c.statement, c.signature, c.requestedBy],
    );
  }

  async requestCheckpoint(requestedBy: string): Promise<number> {
    const [r] = await this.sql.query<{ id: number }>(
      'INSERT INTO journal_checkpoint_requests (requested_by) VALUES ($1) RETURNING id',
      [requestedBy],
    );
    return Number(r!.id);
  }

  async checkpointRequest(id: number): Promise<{ id: number; done: boolean; checkpointN?: number } | undefined> {
    const [r] = await this.sql.query<{ id: number; done_at: unknown; checkpoint_n: number | null }>(
      'SELECT id, done_at, checkpoint_n FROM journal_checkpoint_requests WHERE id = $1',
      [id],
    );
    return r
      ? {
          id: Number(r.id),
          done: r.done_at != null,
          ...(r.checkpoint_n != null ? { checkpointN: Number(r.checkpoint_n) } : {}),
        }
      : undefined;
  }

  /** Checkpoint requests not done, held a while by the worker that takes them. */
  async takeCheckpointRequests(): Promise<{ id: number; requestedBy: string }[]> {
    const rows = await this.sql.query<{ id: number; requested_by: string }>(
      `UPDATE journal_checkpoint_requests SET taken_until = now() + ${REQUEST_HOLD} WHERE id IN (
         SELECT id FROM journal_checkpoint_requests WHERE done_at IS NULL AND (taken_until IS NULL OR taken_until < now())
         ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED) RETURNING id, requested_by`,
    );
    return rows.map((r) => ({ id: Number(r.id), requestedBy: r.requested_by }));
  }

  async checkpointRequestDone(tx: Sql, id: number, n: number | undefined): Promise<void> {
    await tx.query('UPDATE journal_checkpoint_requests SET done_at = now(), checkpoint_n = $2 WHERE id = $1', [
      id,
      n ?? null,
    ]);
  }

  async requestVerification(requestedBy: string): Promise<number> {
    const [r] = await this.sql.query<{ id: number }>(
      'INSERT INTO journal_verifications (requested_by) VALUES ($1) RETURNING id',
      [requestedBy],
    );
    return Number(r!.id);
  }

  /** A verification asked for and not taken (or whose worker died), now held by the caller. */
  async takeVerification(): Promise<Verification | undefined> {
    const [r] = await this.sql.query(
      `UPDATE journal_verifications SET status = 'running', started_at = now(), taken_until = now() + ${VERIFICATION_HOLD} WHERE id IN (
         SELECT id FROM journal_verifications WHERE status = 'requested' OR (status = 'running' AND taken_until < now())
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *`,
    );
    return r ? readVerification(r) : undefined;
  }

  async finishVerification(tx: Sql, id: number, outcome: VerificationOutcome): Promise<void> {
    const m = outcome.mismatches;
    await tx.query(
      `UPDATE journal_verifications SET status = $2, finished_at = now(), verified_seq = $3, verified_hash = $4, entries = $5, facts = $6,
         checkpoints = $7, mismatches = $8, first_mismatch = $9, mismatch_list = $10 WHERE id = $1`,
      [
        id,
        m.length ? 'mismatch' : 'ok',
        outcome.verifiedSeq,
        outcome.verifiedHash,
        outcome.entries,
        outcome.facts,
        outcome.checkpoints,
        m.length,
        m[0] ? JSON.stringify(m[0]) : null,
        m.length ? JSON.stringify(m.slice(0, 50)) : null,
      ],
    );
  }

  async failVerification(id: number, failure: string): Promise<void> {
    await this.sql.query(
      "UPDATE journal_verifications SET status = 'failed', finished_at = now(), failure = $2 WHERE id = $1",
      [id, failure.slice(0, 1000)],
    );
  }

  async verification(id: number): Promise<Verification | undefined> {
    const [r] = await this.sql.query('SELECT * FROM journal_verifications WHERE id = $1', [id]);
    return r ? readVerification(r) : undefined;
  }

  async verifications(limit: number): Promise<Verification[]> {
    return (await this.sql.query('SELECT * FROM journal_verifications ORDER BY id DESC LIMIT $1', [limit])).map(
      readVerification,
    );
  }

  /** The latest finished verification (ok or not), and the latest that found nothing amiss. */
  async lastFinished(): Promise<{ last?: Verification; lastOk?: Verification }> {
    const [last] = await this.sql.query(
      "SELECT * FROM journal_verifications WHERE status IN ('ok', 'mismatch') ORDER BY finished_at DESC, id DESC LIMIT 1",
    );
    const [lastOk] = await this.sql.query(
      "SELECT * FROM journal_verifications WHERE status = 'ok' ORDER BY finished_at DESC, id DESC LIMIT 1",
    );
    return {
      ...(last ? { last: readVerification(last) } : {}),
      ...(lastOk ? { lastOk: readVerification(lastOk) } : {}),
    };
  }
}
