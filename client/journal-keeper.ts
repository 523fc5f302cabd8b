import type pino from 'pino';
import { statementText } from '../domain/journal-chain';
import { JournalStore } from '../db/journal';
import { JournalRecords, type Checkpoint, type Verification } from '../db/journal-records';
import { Notifications } from '../db/notifications';
import type { Sql } from '../db/sql';
import type { JournalSigner } from './journal-keys';
import { verifyJournal } from './journal-verify';

/**
 * The journal's keeper, run by the worker's process (which alone holds the signing key) beside the
 * outbox's dispatcher: it signs a checkpoint at a fixed interval (when the journal moved) and when one
 * is asked for, runs the verifications asked for and one a day. Several workers share it: a
 * checkpoint is signed under a transaction's advisory lock (one at a time, numbered one after the
 * other), a verification is taken by one worker (SKIP LOCKED, held while it runs).
 */

/** The advisory locks of the journal's keeper (the migration's is 7270347). */
const CHECKPOINT_LOCK = 7270348;
const DAILY_LOCK = 7270349;

export interface KeeperOptions {
  /** a checkpoint when the last is this old and the journal moved since */
  checkpointEveryMs: number;
  /** a verification when the last one asked is this old */
  verifyEveryMs: number;
  /** who receives each checkpoint: email addresses, and `auditor:<id>` contacts (emails and signed webhook) */
  recipients: string[];
  /** how often the keeper looks for work */
  tickMs?: number;
  logger: pino.Logger;
}

/** The checkpoint line an auditor keeps (the standalone verifier reads it with --checkpoint). */
export const checkpointLine = (c: Checkpoint) =>
  JSON.stringify({ type: 'checkpoint', n: c.n, statement: c.statement, signature: c.signature, keyId: c.keyId });

/**
 * Signs the journal's head as the next checkpoint and publishes it (the outbox, in the same
 * transaction) — unless `onlyIfMoved` and the head is the last checkpoint's. Answers the checkpoint
 * signed, if one was.
 */
export async function signCheckpoint(
  sql: Sql,
  signer: JournalSigner,
  requestedBy: string,
  { recipients = [], onlyIfMoved = false }: { recipients?: string[]; onlyIfMoved?: boolean } = {},
): Promise<Checkpoint | undefined> {
  return sql.transaction(async (tx) => {
    // one signer at a time: checkpoints are numbered one after the other
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK]);
    const records = new JournalRecords(tx);
    const head = await new JournalStore(tx).head();
    const last = await records.lastCheckpoint();
    if (head.seq === 0 || (onlyIfMoved && last?.seq === head.seq)) return undefined;
    const signedAt = new Date().toISOString();
    const n = (last?.n ?? 0) + 1;
    const statement = statementText({
      journal: head.journalId,
      n,
      seq: head.seq,
      hash: head.hash,
      signedAt,
      keyId: signer.currentKeyId,
    });
    const { keyId, signature } = signer.sign(statement);
    const checkpoint: Checkpoint = {
      n,
      seq: head.seq,
      hash: head.hash,
      signedAt,
      keyId,
      statement,
      signature,
      requestedBy,
    };
    await records.insertCheckpoint(tx, checkpoint);
    const outbox = new Notifications(tx);
    const params = {
      journal: head.journalId,
      n,
      seq: head.seq,
      hash: head.hash,
      signedAt,
      keyId,
      publicKey: signer.publicKeys()[keyId]!,
      signature,
      statement,
      line: checkpointLine(checkpoint),
    };
    for (const r of recipients) {
      const contact = /^auditor:(.+)$/.exec(r);
      await outbox.enqueue({
        key: `journal-checkpoint:${head.journalId}:${n}:${r}`,
        template: 'journal_checkpoint',
        params,
        ...(contact ? { to: { party: 'auditor', id: contact[1]! } } : { to: { party: 'auditor', id: r }, email: r }),
      });
    }
    return checkpoint;
  });
}

/**
 * Runs a verification taken (or asked for by the caller) and records its outcome; a mismatch alerts
 * the operators at once (the outbox), besides the digest and the metrics that read it.
 */
export async function runVerification(sql: Sql, publicKeys: Record<string, string>, v: Pick<Verification, 'id'>) {
  const records = new JournalRecords(sql);
  try {
    const outcome = await verifyJournal(sql, publicKeys);
    await sql.transaction(async (tx) => {
      await records.finishVerification(tx, v.id, outcome);
      const first = outcome.mismatches[0];
      if (first)
        await new Notifications(tx).enqueue({
          key: `journal-mismatch:${v.id}`,
          template: 'journal_mismatch',
          to: { party: 'operators', id: 'asp' },
          params: {
            verificationId: v.id,
            at: new Date().toISOString(),
            mismatches: outcome.mismatches.length,
            seq: first.seq ?? '—',
            first: first.what,
          },
        });
    });
    return outcome;
  } catch (err) {
    await records.failVerification(v.id, (err as Error).message);
    throw err;
  }
}

export class JournalKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly records: JournalRecords;

  constructor(
    private readonly sql: Sql,
    private readonly signer: JournalSigner,
    private readonly options: KeeperOptions,
  ) {
    this.records = new JournalRecords(sql);
  }

  /** Registers the public keys (what exports hand auditors), then looks for work every tick. */
  async start(): Promise<void> {
    const differing = await this.records.registerKeys(this.signer.publicKeys());
    for (const d of differing)
      this.options.logger.error(
        { keyId: d.keyId },
        'the database holds another public key under this journal key id: the verification reports it',
      );
    const tick = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((err: unknown) => this.options.logger.warn({ err }, 'the journal keeper failed a round; it tries again'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.tickMs ?? 2_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: checkpoints asked for, the interval's checkpoint, the day's verification, verifications asked for. */
  async tick(): Promise<void> {
    const { logger, recipients } = this.options;
    for (const r of await this.records.takeCheckpointRequests()) {
      const c = await signCheckpoint(this.sql, this.signer, r.requestedBy, { recipients });
      await this.records.checkpointRequestDone(this.sql, r.id, c?.n ?? (await this.records.lastCheckpoint())?.n);
      if (c) logger.info({ n: c.n, seq: c.seq }, 'journal checkpoint signed on request');
    }
    const last = await this.records.lastCheckpoint();
    if (!last || Date.now() - Date.parse(last.signedAt) >= this.options.checkpointEveryMs) {
      const c = await signCheckpoint(this.sql, this.signer, 'interval', { recipients, onlyIfMoved: true });
      if (c) logger.info({ n: c.n, seq: c.seq }, 'journal checkpoint signed');
    }
    await this.requestDailyVerification();
    for (let v = await this.records.takeVerification(); v; v = await this.records.takeVerification()) {
      const outcome = await runVerification(this.sql, this.signer.publicKeys(), v);
      if (outcome.mismatches.length)
        logger.error({ verification: v.id, first: outcome.mismatches[0] }, 'the journal does not match: a tampering?');
      else logger.info({ verification: v.id, seq: outcome.verifiedSeq }, 'journal verified');
    }
  }

  /** A verification is asked for once a day (by whichever worker comes first). */
  private async requestDailyVerification(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [DAILY_LOCK]);
      const [recent] = await tx.query(
        `SELECT 1 FROM journal_verifications WHERE requested_at > now() - make_interval(secs => $1) LIMIT 1`,
        [this.options.verifyEveryMs / 1000],
      );
      if (!recent) await new JournalRecords(tx).requestVerification('daily');
    });
  }
}
