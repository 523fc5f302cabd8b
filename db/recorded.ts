import type { Effect, ProcessKind, Transition } from '../contract/effects';
import { effectKey } from '../contract/effects';
import type { AuditEntry } from '../domain/bdc-view';
import type { Proposal } from '../domain/proposals';
import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import { journalFacts } from './journal-facts';
import { Ledger } from './ledger';
import { Notifications } from './notifications';
import type { Sql, Tx } from './sql';

/**
 * How the record keeps one kind of recorded process (a BDC, a control): its row, guarded by the
 * version of its state, and its audit trail. Every process is written by `writeTransition`.
 */
export interface ProcessTable<R> {
  table: string;
  idColumn: string;
  auditTable: string;
  /** the row's columns (what reads filter and sum on, and the state itself) from the record */
  columns(record: R): Record<string, unknown>;
  /** columns written once, the first time they hold a value (when the process ended…) */
  setOnce?: string[];
  /** what the refusal says when the row is unknown */
  unknown(id: string): ReturnType<typeof refuse>;
  /** the journal's kinds of its audit lines and of its state (db/journal-facts.ts) */
  journal: { audit: string; state: string };
}

const AUDIT_COLUMNS = 'seq, at, kind, what, actor_role, actor_id, actor_name, event_id, message_key, params';

/** The audit entries as VALUES rows of one INSERT, their parameters pushed onto `params`. */
function auditValues(id: string, entries: AuditEntry[], params: unknown[]): string {
  return entries
    .map((e) => {
      const values = [
        id,
        e.seq,
        e.at,
        e.kind,
        e.what,
        e.by.role,
        e.by.id,
        e.by.name ?? null,
        e.eventId ?? null,
        e.key ?? null,
        e.params ? JSON.stringify(e.params) : null,
      ];
      return `(${values.map((v) => `$${params.push(v)}`).join(', ')})`;
    })
    .join(', ');
}

/** Inserts audit entries, each at its rank once (a retry writes nothing twice), and journals those it wrote. */
export async function insertAudit(
  tx: Tx,
  spec: Pick<ProcessTable<unknown>, 'auditTable' | 'idColumn' | 'journal'>,
  id: string,
  entries: AuditEntry[],
) {
  if (!entries.length) return;
  const params: unknown[] = [];
  const written = await tx.query<{ seq: number }>(
    `INSERT INTO ${spec.auditTable} (${spec.idColumn}, ${AUDIT_COLUMNS}) VALUES ${auditValues(id, entries, params)} ON CONFLICT (${spec.idColumn}, seq) DO NOTHING RETURNING seq`,
    params,
  );
  await journalAudit(
    tx,
    spec,
    id,
    written.map((w) => Number(w.seq)),
  );
}

/** The journal's entries of the audit lines a transaction wrote (those a retry found there already were journaled then). */
async function journalAudit(
  tx: Tx,
  spec: Pick<ProcessTable<unknown>, 'idColumn' | 'journal'>,
  id: string,
  seqs: number[],
) {
  if (seqs.length)
    await journalFacts(tx, spec.journal.audit, `${spec.idColumn} = $1 AND seq = ANY($2::int[])`, [id, seqs]);
}

/**
 * The process's money proposals, as its record holds them, listed for the ordonnateurs (each upserted:
 * a late retry of an older transition is refused below with the rest of its transaction).
 */
async function listProposals(tx: Tx, t: Transition<{ proposals?: Proposal[] }>): Promise<void> {
  for (const p of t.record.proposals ?? []) {
    const written = await tx.query(
      `INSERT INTO money_proposals (process, process_id, proposal_id, bdc_id, kind, amount_cents, state, proposed_at, proposed_by, caused_by,
         validations_needed, validations, rejection)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (process, process_id, proposal_id) DO UPDATE SET state = EXCLUDED.state, validations = EXCLUDED.validations,
         rejection = EXCLUDED.rejection, updated_at = now()
       WHERE money_proposals.state = 'proposed'
         AND (money_proposals.state, money_proposals.validations, money_proposals.rejection)
             IS DISTINCT FROM (EXCLUDED.state, EXCLUDED.validations, EXCLUDED.rejection)
       RETURNING proposal_id`,
      [
        t.process,
        t.id,
        p.id,
        t.bdcId,
        p.kind,
        p.amountCents,
        p.state,
        p.at,
        JSON.stringify(p.proposedBy),
        p.causedBy ? JSON.stringify(p.causedBy) : null,
        p.validationsNeeded,
        JSON.stringify(p.validations),
        p.rejection ? JSON.stringify(p.rejection) : null,
      ],
    );
    // a proposal made or decided now is journaled in the same transaction (one unchanged is not written again)
    if (written.length)
      await journalFacts(tx, 'money.proposal', 'process = $1 AND process_id = $2 AND proposal_id = $3', [
        t.process,
        t.id,
        p.id,
      ]);
  }
}

/** One money effect (or claims' release, or notice) of a transition, written once under its key. */
async function applyEffect(tx: Sql, t: Transition, effect: Effect): Promise<void> {
  // the process's row exists (the transaction reads it last): the ledger need not check the BDC first
  const ledger = new Ledger(tx, { bdcKnown: true });
  const idempotencyKey = effectKey(t, effect)!;
  const bdcId = t.bdcId;
  const controlId = t.process === 'control' ? { controlId: t.id } : {};
  switch (effect.kind) {
    case 'paymentOrder':
      await ledger.issuePaymentOrder({ idempotencyKey, bdcId, kind: effect.order, amountCents: effect.amountCents });
      return;
    case 'demand':
      await ledger.issueReimbursementDemand({
        idempotencyKey,
        bdcId,
        ...controlId,
        amountCents: effect.amountCents,
        reason: effect.reason,
        dueAt: effect.dueAt,
      });
      return;
    case 'receipt':
      await ledger.recordReimbursementReceipt({
        idempotencyKey,
        bdcId,
        ...controlId,
        amountCents: effect.amountCents,
        receivedAt: effect.receivedAt,
      });
      return;
    case 'writeOff':
      await ledger.writeOff({
        idempotencyKey,
        bdcId,
        ...controlId,
        amountCents: effect.amountCents,
        reason: effect.reason,
      });
      return;
    case 'releaseClaims':
      await ledger.releaseEssmsClaims(bdcId);
      return;
    case 'notify':
      await new Notifications(tx).enqueue({ ...effect.notification, bdcId });
      return;
  }
}

/**
 * A transition of a recorded process in one transaction: its effects (each idempotent by its key),
 * its audit entries (each at its rank, once) and its row — unless a later version is there already
 * (a late retry never overwrites a newer state). The audit and the row go in one statement.
 */
export async function writeTransition<R>(
  sql: Sql,
  spec: ProcessTable<R>,
  t: Transition<R>,
): Promise<{ recorded: boolean }> {
  return sql.transaction(async (tx) => {
    for (const effect of t.effects) await applyEffect(tx, t, effect);
    await listProposals(tx, t as Transition<{ proposals?: Proposal[] }>);
    const columns = spec.columns(t.record);
    const params: unknown[] = [t.id];
    const assignments = Object.entries(columns).map(([name, value]) => {
      const p = `$${params.push(value)}`;
      return spec.setOnce?.includes(name) ? `${name} = COALESCE(${name}, ${p})` : `${name} = ${p}`;
    });
    const versionParam = `$${params.push((t.record as { version: number }).version)}`;
    const audit = t.audit.length
      ? `audit AS (INSERT INTO ${spec.auditTable} (${spec.idColumn}, ${AUDIT_COLUMNS}) VALUES ${auditValues(t.id, t.audit, params)} ON CONFLICT (${spec.idColumn}, seq) DO NOTHING RETURNING seq), `
      : '';
    const [row] = await tx.query<{ updated: number; known: number; audited: number[] | null }>(
      `WITH ${audit}updated AS (
         UPDATE ${spec.table} SET ${assignments.join(', ')}, workflow_started = true, updated_at = now()
         WHERE ${spec.idColumn} = $1 AND version < ${versionParam} RETURNING ${spec.idColumn})
       SELECT (SELECT count(*) FROM updated)::int AS updated, (SELECT count(*) FROM ${spec.table} WHERE ${spec.idColumn} = $1)::int AS known,
         ${audit ? '(SELECT array_agg(seq) FROM audit)' : 'NULL::int[]'} AS audited`,
      params,
    );
    if (!row!.known) throw spec.unknown(t.id);
    // what this transition wrote, journaled in its transaction: its new audit lines, its new state
    await journalAudit(tx, spec, t.id, (row!.audited ?? []).map(Number));
    if (row!.updated > 0) await journalFacts(tx, spec.journal.state, `${spec.idColumn} = $1`, [t.id]);
    return { recorded: row!.updated > 0 };
  });
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
export const isoOf = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

/** An audit row as the record answers it. */
export function readAudit(r: Record<string, unknown>): AuditEntry {
  return {
    seq: Number(r.seq),
    at: isoOf(r.at),
    kind: String(r.kind),
    what: String(r.what),
    by: {
      role: r.actor_role as AuditEntry['by']['role'],
      id: String(r.actor_id),
      ...(r.actor_name ? { name: String(r.actor_name) } : {}),
    },
    ...(r.event_id ? { eventId: String(r.event_id) } : {}),
    ...(r.message_key ? { key: String(r.message_key) } : {}),
    ...(r.params ? { params: parse<Record<string, string>>(r.params) } : {}),
  };
}

/** The refusal of a transition whose process the record does not know. */
export const unknownProcess = (process: ProcessKind, id: string) =>
  process === 'bdc'
    ? refuse('unknown_bdc', say('unknown_bdc_in_record', { bdcId: id }), 'bdcId', id)
    : refuse('not_found', say('unknown_control', { controlId: id }), 'controlId', id);
