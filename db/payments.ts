import type { OrderState } from '../domain/payments';
import { moveRefusals } from '../domain/payments';
import { endToEndId } from '../domain/sepa/pain001';
import type { Actor } from '../domain/roles';
import { say } from '../domain/messages';
import { refuse, RefusedError, refusalOf, type Refusal } from '../domain/refusal';
import { enrolledForPayment, readBankDetails, type BankDetailsRecord } from './editeurs';
import { journalFacts } from './journal-facts';
import type { Sql, Tx } from './sql';

/**
 * Payment orders after their validation (db/migrations/015): released by a comptable in a payment
 * run, answered by the bank, validated again by an ordonnateur after a rejection. Each move is one
 * transaction that checks the order's state under its row lock, writes the order, its transfer and
 * its event, and journals them: an order is released once whatever the retries, and a run is
 * written whole or not at all.
 */
export interface OrderView {
  id: number;
  idempotencyKey: string;
  bdcId: string;
  editeurId: string;
  reference: string;
  kind: 'advance' | 'balance';
  amountCents: number;
  /** when the last validation wrote it */
  issuedAt: string;
  state: OrderState;
  stateAt: string;
  runId?: string;
  /** who proposed it and who validated it (the BDC's proposal) */
  proposedBy?: Actor;
  validatedBy: Actor[];
  /** its last transfer: the run, the bank details it went to, the bank's answer */
  transfer?: TransferView;
  /** the éditeur's bank details in force now (where a release would pay it) */
  bankDetails?: BankDetailsRecord;
  /** validated before the éditeur's bank details changed: the comptable is told */
  bankDetailsChanged: boolean;
}

export interface TransferView {
  runId: string;
  orderId: number;
  endToEndId: string;
  amountCents: number;
  bankDetailsId: number;
  iban: string;
  outcome?: 'paid' | 'rejected';
  reasonCode?: string;
  answeredAt?: string;
  answeredBy?: Actor;
  answerSource?: 'pain002' | 'manual';
}

export interface RunView {
  runId: string;
  messageId: string;
  releasedAt: string;
  releasedBy: Actor;
  executionDate: string;
  debtor: { name: string; iban: string; bic: string };
  transfers: number;
  controlSumCents: number;
  fileSha256: string;
  /** counts of its transfers by the bank's answer */
  paid: number;
  rejected: number;
  unanswered: number;
}

export interface OrderEvent {
  orderId: number;
  seq: number;
  at: string;
  state: OrderState;
  actor: Actor;
  runId?: string;
  reason?: string;
}

/** What a release builds its file from: each order locked, with the bank details it will be paid to. */
export interface ToRelease {
  id: number;
  idempotencyKey: string;
  bdcId: string;
  reference: string;
  kind: 'advance' | 'balance';
  amountCents: number;
  bankDetails: BankDetailsRecord;
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();
const civil = (v: unknown) =>
  v instanceof Date
    ? `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`
    : String(v).slice(0, 10);

const ORDER_SELECT = `
  SELECT o.id, o.idempotency_key, o.bdc_id, o.kind, o.amount_cents, o.issued_at, o.state, o.run_id, o.state_at,
    b.editeur_id, b.reference,
    t.run_id AS t_run_id, t.end_to_end_id AS t_e2e, t.amount_cents AS t_amount, t.bank_details_id AS t_bank_details_id,
    t.outcome AS t_outcome, t.reason_code AS t_reason_code, t.answered_at AS t_answered_at, t.answered_by AS t_answered_by,
    t.answer_source AS t_answer_source, td.iban AS t_iban,
    v.id AS v_id, v.editeur_id AS v_editeur_id, v.iban AS v_iban, v.bic AS v_bic, v.holder AS v_holder, v.state AS v_state,
    v.proposed_at AS v_proposed_at, v.proposed_by AS v_proposed_by, v.proposal_event_id AS v_proposal_event_id,
    v.decided_at AS v_decided_at, v.decided_by AS v_decided_by, v.valid_from AS v_valid_from,
    p.proposed_by, p.validations
  FROM payment_orders o JOIN bdcs b USING (bdc_id)
  LEFT JOIN LATERAL (SELECT t.* FROM payment_transfers t JOIN payment_runs r USING (run_id) WHERE t.order_id = o.id
                     ORDER BY r.released_at DESC, t.run_id DESC LIMIT 1) t ON true
  LEFT JOIN bank_details td ON td.id = t.bank_details_id
  LEFT JOIN bank_details v ON v.editeur_id = b.editeur_id AND v.state = 'valid'
  LEFT JOIN money_proposals p ON p.process = 'bdc' AND p.process_id = o.bdc_id AND p.kind = o.kind AND p.state = 'validated'`;

function readOrder(r: Record<string, unknown>): OrderView {
  const prefixed = (prefix: string) =>
    Object.fromEntries(
      Object.entries(r)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const bankDetails = r.v_id ? readBankDetails(prefixed('v_')) : undefined;
  const state = r.state as OrderState;
  const stateAt = iso(r.state_at);
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idempotency_key),
    bdcId: String(r.bdc_id),
    editeurId: String(r.editeur_id),
    reference: String(r.reference),
    kind: r.kind as OrderView['kind'],
    amountCents: Number(r.amount_cents),
    issuedAt: iso(r.issued_at),
    state,
    stateAt,
    ...(r.run_id ? { runId: String(r.run_id) } : {}),
    ...(r.proposed_by ? { proposedBy: parse<Actor>(r.proposed_by) } : {}),
    validatedBy: r.validations ? parse<{ by: Actor }[]>(r.validations).map((v) => v.by) : [],
    ...(r.t_run_id
      ? {
          transfer: {
            runId: String(r.t_run_id),
            orderId: Number(r.id),
            endToEndId: String(r.t_e2e),
            amountCents: Number(r.t_amount),
            bankDetailsId: Number(r.t_bank_details_id),
            iban: String(r.t_iban),
            ...(r.t_outcome
              ? {
                  outcome: r.t_outcome as 'paid' | 'rejected',
                  answeredAt: iso(r.t_answered_at),
                  answeredBy: parse<Actor>(r.t_answered_by),
                  answerSource: r.t_answer_source as 'pain002' | 'manual',
                }
              : {}),
            ...(r.t_reason_code ? { reasonCode: String(r.t_reason_code) } : {}),
          },
        }
      : {}),
    ...(bankDetails ? { bankDetails } : {}),
    bankDetailsChanged:
      state === 'validated' &&
      bankDetails?.validFrom !== undefined &&
      Date.parse(bankDetails.validFrom) > Date.parse(stateAt),
  };
}

function readRun(r: Record<string, unknown>): RunView {
  return {
    runId: String(r.run_id),
    messageId: String(r.message_id),
    releasedAt: iso(r.released_at),
    releasedBy: parse(r.released_by),
    executionDate: civil(r.execution_date),
    debtor: parse(r.debtor),
    transfers: Number(r.transfers),
    controlSumCents: Number(r.control_sum_cents),
    fileSha256: String(r.file_sha256),
    paid: Number(r.paid ?? 0),
    rejected: Number(r.rejected ?? 0),
    unanswered: Number(r.unanswered ?? 0),
  };
}

const RUN_SELECT = `SELECT r.run_id, r.message_id, r.released_at, r.released_by, r.execution_date, r.debtor, r.transfers,
    r.control_sum_cents, r.file_sha256,
    (SELECT count(*) FROM payment_transfers t WHERE t.run_id = r.run_id AND t.outcome = 'paid')::int AS paid,
    (SELECT count(*) FROM payment_transfers t WHERE t.run_id = r.run_id AND t.outcome = 'rejected')::int AS rejected,
    (SELECT count(*) FROM payment_transfers t WHERE t.run_id = r.run_id AND t.outcome IS NULL)::int AS unanswered
  FROM payment_runs r`;

/** Appends an event to each order's history (its next number), once per event id, and journals it. */
async function orderEvents(
  tx: Tx,
  orderIds: number[],
  e: { state: OrderState; actor: Actor; eventId: string; runId?: string; reason?: string },
): Promise<void> {
  if (!orderIds.length) return;
  await tx.query(
    `INSERT INTO payment_order_events (order_id, seq, state, actor, run_id, reason, event_id)
     SELECT id, (SELECT COALESCE(max(seq), 0) + 1 FROM payment_order_events e WHERE e.order_id = o.id), $2, $3, $4, $5, $6
     FROM payment_orders o WHERE o.id = ANY($1::int8[])
     ON CONFLICT (order_id, event_id) DO NOTHING`,
    [orderIds, e.state, JSON.stringify(e.actor), e.runId ?? null, e.reason ?? null, e.eventId],
  );
  await journalFacts(tx, 'payment.order_event', 'order_id = ANY($1::int8[]) AND event_id = $2', [orderIds, e.eventId]);
  await journalFacts(tx, 'payment.order_state', 'id = ANY($1::int8[])', [orderIds]);
}

export class Payments {
  constructor(readonly sql: Sql) {}

  /** Payment orders with their BDC, proposal, last transfer and the éditeur's bank details in force, by id. */
  async orders(
    filter: { state?: OrderState; bdcId?: string; editeurId?: string; ids?: number[]; limit?: number } = {},
  ): Promise<OrderView[]> {
    const rows = await this.sql.query(
      `${ORDER_SELECT}
       WHERE ($1::text IS NULL OR o.state = $1) AND ($2::text IS NULL OR o.bdc_id = $2) AND ($3::text IS NULL OR b.editeur_id = $3)
         AND ($4::int8[] IS NULL OR o.id = ANY($4::int8[]))
       ORDER BY o.id LIMIT $5`,
      [filter.state ?? null, filter.bdcId ?? null, filter.editeurId ?? null, filter.ids ?? null, filter.limit ?? 1000],
    );
    return rows.map(readOrder);
  }

  /** What happened to orders after their validation, in order, by order. */
  async events(orderIds: number[]): Promise<OrderEvent[]> {
    if (!orderIds.length) return [];
    const rows = await this.sql.query(
      'SELECT * FROM payment_order_events WHERE order_id = ANY($1::int8[]) ORDER BY order_id, seq',
      [orderIds],
    );
    return rows.map((r) => ({
      orderId: Number(r.order_id),
      seq: Number(r.seq),
      at: iso(r.at),
      state: r.state as OrderState,
      actor: parse<Actor>(r.actor),
      ...(r.run_id ? { runId: String(r.run_id) } : {}),
      ...(r.reason ? { reason: String(r.reason) } : {}),
    }));
  }

  async runs(limit = 100): Promise<RunView[]> {
    return (await this.sql.query(`${RUN_SELECT} ORDER BY r.released_at DESC, r.run_id LIMIT $1`, [limit])).map(readRun);
  }

  async run(runId: string): Promise<(RunView & { orders: OrderView[] }) | undefined> {
    const [row] = await this.sql.query(`${RUN_SELECT} WHERE r.run_id = $1`, [runId]);
    if (!row) return undefined;
    const ids = (
      await this.sql.query<{ order_id: string }>('SELECT order_id FROM payment_transfers WHERE run_id = $1', [runId])
    ).map((t) => Number(t.order_id));
    const orders = await this.orders({ ids });
    // each order as this run sent it (a later run may hold its last transfer)
    const transfers = await this.transfersOf(runId);
    return {
      ...readRun(row),
      orders: orders.map((o) => ({ ...o, transfer: transfers.get(o.id) ?? o.transfer })),
    };
  }

  private async transfersOf(runId: string): Promise<Map<number, TransferView>> {
    const rows = await this.sql.query(
      'SELECT t.*, d.iban FROM payment_transfers t JOIN bank_details d ON d.id = t.bank_details_id WHERE t.run_id = $1',
      [runId],
    );
    return new Map(
      rows.map((r) => [
        Number(r.order_id),
        {
          runId,
          orderId: Number(r.order_id),
          endToEndId: String(r.end_to_end_id),
          amountCents: Number(r.amount_cents),
          bankDetailsId: Number(r.bank_details_id),
          iban: String(r.iban),
          ...(r.outcome
            ? {
                outcome: r.outcome as 'paid' | 'rejected',
                answeredAt: iso(r.answered_at),
                answeredBy: parse<Actor>(r.answered_by),
                answerSource: r.answer_source as 'pain002' | 'manual',
              }
            : {}),
          ...(r.reason_code ? { reasonCode: String(r.reason_code) } : {}),
        },
      ]),
    );
  }

  /** The run's pain.001 file as released. */
  async runFile(runId: string): Promise<{ messageId: string; file: string } | undefined> {
    const [row] = await this.sql.query<{ message_id: string; file: string }>(
      'SELECT message_id, file FROM payment_runs WHERE run_id = $1',
      [runId],
    );
    return row ? { messageId: row.message_id, file: row.file } : undefined;
  }

  /**
   * Releases validated orders as one payment run, in one transaction: the orders locked and checked
   * validated, each paid to its éditeur's bank details in force (locked against a change meanwhile),
   * the file built from them, then the run, its transfers, the orders' states and events written and
   * journaled. The run's id is its key: released again (a retry after a crash or a lost answer), it
   * answers the run as first written; with other orders, it is refused.
   */
  async release(
    run: { runId: string; orderIds: number[]; executionDate: string; by: Actor; debtor: RunView['debtor'] },
    build: (orders: ToRelease[]) => { messageId: string; file: string; fileSha256: string; controlSumCents: number },
  ): Promise<{ run: RunView; created: boolean }> {
    const ids = [...new Set(run.orderIds)].sort((a, b) => a - b);
    if (!ids.length) throw refuse('run_empty', say('run_empty'), 'orderIds');
    return this.sql.transaction(async (tx) => {
      // two releases of one run id at once: the second waits for the first, then finds its run
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payment-run:${run.runId}`]);
      const existing = await this.existingRun(tx, run.runId, ids);
      if (existing) return { run: existing, created: false };
      const orders = await tx.query(
        `SELECT o.id, o.idempotency_key, o.bdc_id, o.kind, o.amount_cents, o.state, b.editeur_id, b.reference
         FROM payment_orders o JOIN bdcs b USING (bdc_id) WHERE o.id = ANY($1::int8[]) ORDER BY o.id FOR UPDATE OF o`,
        [ids],
      );
      const refusals: Refusal[] = [];
      // a refusal's path names the order where the caller put it (ids are sorted only to lock in one order)
      for (const id of ids) {
        const i = run.orderIds.indexOf(id);
        const o = orders.find((x) => Number(x.id) === id);
        if (!o) refusals.push(refusalOf('not_found', say('order_unknown', { orderId: id }), `orderIds.${i}`, id));
        else refusals.push(...moveRefusals({ id, state: o.state as OrderState }, 'released', `orderIds.${i}`));
      }
      const editeurs = [...new Set(orders.map((o) => String(o.editeur_id)))];
      // the bank details in force at release, held until this commits (a change waits for it)
      const details = (
        await tx.query("SELECT * FROM bank_details WHERE editeur_id = ANY($1::text[]) AND state = 'valid' FOR SHARE", [
          editeurs,
        ])
      ).map(readBankDetails);
      for (const e of editeurs)
        if (!details.some((d) => d.editeurId === e))
          refusals.push(
            refusalOf('no_valid_bank_details', say('no_valid_bank_details', { editeurId: e }), 'orderIds', e),
          );
      if (refusals.length) throw new RefusedError(refusals);
      const toRelease: ToRelease[] = orders.map((o) => ({
        id: Number(o.id),
        idempotencyKey: String(o.idempotency_key),
        bdcId: String(o.bdc_id),
        reference: String(o.reference),
        kind: o.kind as ToRelease['kind'],
        amountCents: Number(o.amount_cents),
        bankDetails: details.find((d) => d.editeurId === String(o.editeur_id))!,
      }));
      const built = build(toRelease);
      await tx.query(
        `INSERT INTO payment_runs (run_id, message_id, released_by, execution_date, debtor, transfers, control_sum_cents, file, file_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          run.runId,
          built.messageId,
          JSON.stringify(run.by),
          run.executionDate,
          JSON.stringify(run.debtor),
          toRelease.length,
          built.controlSumCents,
          built.file,
          built.fileSha256,
        ],
      );
      for (const o of toRelease)
        await tx.query(
          'INSERT INTO payment_transfers (run_id, order_id, end_to_end_id, amount_cents, bank_details_id) VALUES ($1, $2, $3, $4, $5)',
          [run.runId, o.id, endToEndId(o.idempotencyKey), o.amountCents, o.bankDetails.id],
        );
      const moved = await tx.query(
        "UPDATE payment_orders SET state = 'released', run_id = $2, state_at = now() WHERE id = ANY($1::int8[]) AND state = 'validated' RETURNING id",
        [ids, run.runId],
      );
      // the rows are locked and were checked: a difference here is a bug, and nothing is written
      if (moved.length !== ids.length)
        throw new Error(`release ${run.runId}: ${moved.length} of ${ids.length} orders moved`);
      await journalFacts(tx, 'payment.run', 'run_id = $1', [run.runId]);
      await journalFacts(tx, 'payment.transfer', 'run_id = $1', [run.runId]);
      await orderEvents(tx, ids, {
        state: 'released',
        actor: run.by,
        eventId: `release:${run.runId}`,
        runId: run.runId,
      });
      const [written] = await tx.query(`${RUN_SELECT} WHERE r.run_id = $1`, [run.runId]);
      return { run: readRun(written!), created: true };
    });
  }

  /** The run already written under this id, if its orders are these; refused if they are others. */
  private async existingRun(tx: Tx, runId: string, ids: number[]): Promise<RunView | undefined> {
    const [row] = await tx.query(`${RUN_SELECT} WHERE r.run_id = $1`, [runId]);
    if (!row) return undefined;
    const had = (
      await tx.query<{ order_id: string }>(
        'SELECT order_id FROM payment_transfers WHERE run_id = $1 ORDER BY order_id',
        [runId],
      )
    ).map((t) => Number(t.order_id));
    if (had.join() !== ids.join())
      throw refuse('idempotency_conflict', say('run_other_content', { runId }), 'runId', runId);
    return readRun(row);
  }

  /**
   * The bank's answers for transfers of a run, in one transaction: each transfer paid or rejected
   * (with its reason), its order with it; an answer given again changes nothing, a contrary one is
   * refused. `report` is the status report they come from (pain.002), recorded once.
   */
  async answer(
    runId: string,
    answers: { endToEndId: string; outcome: 'paid' | 'rejected'; reasonCode?: string }[],
    by: { actor: Actor; source: 'pain002' | 'manual'; eventId: string },
    report?: { messageId: string; fileSha256: string },
  ): Promise<{ answered: number; unchanged: number }> {
    return this.sql.transaction(async (tx) => {
      const [known] = await tx.query('SELECT 1 FROM payment_runs WHERE run_id = $1', [runId]);
      if (!known) throw refuse('not_found', say('run_unknown', { runId }), 'runId', runId);
      if (report) {
        const stored = await tx.query(
          `INSERT INTO bank_status_reports (message_id, run_id, recorded_by, file_sha256, transfers) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
          [report.messageId, runId, JSON.stringify(by.actor), report.fileSha256, answers.length],
        );
        if (stored.length) await journalFacts(tx, 'payment.status_report', 'message_id = $1', [report.messageId]);
      }
      const rows = await tx.query(
        `SELECT t.order_id, t.end_to_end_id, t.outcome, t.reason_code, o.state FROM payment_transfers t JOIN payment_orders o ON o.id = t.order_id
         WHERE t.run_id = $1 AND t.end_to_end_id = ANY($2::text[]) FOR UPDATE OF t, o`,
        [runId, answers.map((a) => a.endToEndId)],
      );
      const refusals: Refusal[] = [];
      const moves: { orderId: number; outcome: 'paid' | 'rejected'; reasonCode?: string; endToEndId: string }[] = [];
      answers.forEach((a, i) => {
        const t = rows.find((r) => r.end_to_end_id === a.endToEndId);
        if (!t)
          return refusals.push(
            refusalOf(
              'not_found',
              say('transfer_unknown', { endToEndId: a.endToEndId, runId }),
              `answers.${i}.endToEndId`,
            ),
          );
        if (t.outcome) {
          if (t.outcome !== a.outcome || (a.outcome === 'rejected' && t.reason_code !== a.reasonCode))
            refusals.push(
              refusalOf(
                'wrong_state',
                say('transfer_answered', { endToEndId: a.endToEndId, outcome: String(t.outcome) }),
                `answers.${i}.outcome`,
              ),
            );
          return;
        }
        refusals.push(
          ...moveRefusals({ id: Number(t.order_id), state: t.state as OrderState }, a.outcome, `answers.${i}`),
        );
        moves.push({
          orderId: Number(t.order_id),
          outcome: a.outcome,
          endToEndId: a.endToEndId,
          ...(a.reasonCode ? { reasonCode: a.reasonCode } : {}),
        });
      });
      if (refusals.length) throw new RefusedError(refusals);
      for (const m of moves) {
        await tx.query(
          `UPDATE payment_transfers SET outcome = $3, reason_code = $4, answered_at = now(), answered_by = $5, answer_source = $6, answer_message_id = $7
           WHERE run_id = $1 AND order_id = $2`,
          [
            runId,
            m.orderId,
            m.outcome,
            m.reasonCode ?? null,
            JSON.stringify(by.actor),
            by.source,
            report?.messageId ?? null,
          ],
        );
        await tx.query('UPDATE payment_orders SET state = $2, state_at = now() WHERE id = $1', [m.orderId, m.outcome]);
        await journalFacts(tx, 'payment.transfer', 'run_id = $1 AND order_id = $2', [runId, m.orderId]);
      }
      for (const outcome of ['paid', 'rejected'] as const) {
        const of = moves.filter((m) => m.outcome === outcome);
        for (const m of of)
          await orderEvents(tx, [m.orderId], {
            state: outcome,
            actor: by.actor,
            eventId: `${by.eventId}:${m.endToEndId}`,
            runId,
            ...(m.reasonCode ? { reason: m.reasonCode } : {}),
          });
      }
      return { answered: moves.length, unchanged: answers.length - moves.length };
    });
  }

  /** The status report already recorded under a message id, if any. */
  async statusReport(messageId: string): Promise<{ runId: string; fileSha256: string } | undefined> {
    const [row] = await this.sql.query<{ run_id: string; file_sha256: string }>(
      'SELECT run_id, file_sha256 FROM bank_status_reports WHERE message_id = $1',
      [messageId],
    );
    return row ? { runId: row.run_id, fileSha256: row.file_sha256 } : undefined;
  }

  /**
   * An ordonnateur validates again an order the bank rejected, once per event id: it awaits a later
   * run, to the bank details in force then. Refused unless the éditeur can be paid (enrolled, bank
   * details in force).
   */
  async revalidate(orderId: number, by: Actor, eventId: string): Promise<OrderView> {
    await this.sql.transaction(async (tx) => {
      const [o] = await tx.query(
        'SELECT o.id, o.state, b.editeur_id FROM payment_orders o JOIN bdcs b USING (bdc_id) WHERE o.id = $1 FOR UPDATE OF o',
        [orderId],
      );
      if (!o) throw refuse('not_found', say('order_unknown', { orderId }), 'orderId', orderId);
      const [again] = await tx.query('SELECT 1 FROM payment_order_events WHERE order_id = $1 AND event_id = $2', [
        orderId,
        eventId,
      ]);
      if (again) return;
      const refusals = moveRefusals({ id: orderId, state: o.state as OrderState }, 'validated', 'orderId');
      if (refusals.length) throw new RefusedError(refusals);
      if (!(await enrolledForPayment(tx, String(o.editeur_id))))
        throw refuse(
          'editeur_not_enrolled',
          say('editeur_not_enrolled', { editeurId: String(o.editeur_id) }),
          'orderId',
        );
      await tx.query("UPDATE payment_orders SET state = 'validated', run_id = NULL, state_at = now() WHERE id = $1", [
        orderId,
      ]);
      await orderEvents(tx, [orderId], { state: 'validated', actor: by, eventId });
    });
    return (await this.orders({ ids: [orderId] }))[0]!;
  }

  /**
   * What does not add up between the runs, their transfers and the orders (reconciliation): a run
   * whose count or control sum is not that of its transfers, a transfer whose amount is not its
   * order's, an order released, paid or rejected without its transfer in its run. None when all holds.
   */
  async differences(): Promise<{ runId?: string; orderId?: number; kind: string; what: string }[]> {
    const [runs, amounts, orphans] = await Promise.all([
      this.sql.query<{ run_id: string; transfers: number; control_sum_cents: string; n: number; cents: string }>(
        `SELECT r.run_id, r.transfers, r.control_sum_cents, count(t.order_id)::int AS n, COALESCE(sum(t.amount_cents), 0)::int8 AS cents
         FROM payment_runs r LEFT JOIN payment_transfers t USING (run_id) GROUP BY r.run_id
         HAVING r.transfers <> count(t.order_id) OR r.control_sum_cents <> COALESCE(sum(t.amount_cents), 0) ORDER BY r.run_id`,
      ),
      this.sql.query<{ run_id: string; order_id: string; amount_cents: string; order_cents: string }>(
        `SELECT t.run_id, t.order_id, t.amount_cents, o.amount_cents AS order_cents
         FROM payment_transfers t JOIN payment_orders o ON o.id = t.order_id WHERE t.amount_cents <> o.amount_cents ORDER BY t.run_id, t.order_id`,
      ),
      this.sql.query<{ id: string; state: string; run_id: string | null }>(
        `SELECT o.id, o.state, o.run_id FROM payment_orders o
         WHERE o.state <> 'validated' AND NOT EXISTS (SELECT 1 FROM payment_transfers t WHERE t.run_id = o.run_id AND t.order_id = o.id)
         ORDER BY o.id`,
      ),
    ]);
    return [
      ...runs.map((r) => ({
        runId: r.run_id,
        kind: 'run_totals',
        what: `run ${r.run_id}: ${r.transfers} transfers for ${r.control_sum_cents} cents recorded, its transfers are ${r.n} for ${r.cents} cents`,
      })),
      ...amounts.map((a) => ({
        runId: a.run_id,
        orderId: Number(a.order_id),
        kind: 'transfer_amount',
        what: `run ${a.run_id}: order ${a.order_id} transferred for ${a.amount_cents} cents, ordered for ${a.order_cents}`,
      })),
      ...orphans.map((o) => ({
        orderId: Number(o.id),
        kind: 'order_without_transfer',
        what: `order ${o.id} is ${o.state} with no transfer in run ${o.run_id ?? '(none)'}`,
      })),
    ];
  }

  /** Orders and runs by state, with their sums (reports). */
  async totals(): Promise<{
    orders: { state: OrderState; count: number; cents: number }[];
    runs: { count: number; transfers: number; controlSumCents: number };
  }> {
    const [orders, [runs]] = await Promise.all([
      this.sql.query<{ state: OrderState; n: number; cents: string }>(
        'SELECT state, count(*)::int AS n, COALESCE(sum(amount_cents), 0)::int8 AS cents FROM payment_orders GROUP BY state ORDER BY state',
      ),
      this.sql.query<{ n: number; transfers: string; cents: string }>(
        'SELECT count(*)::int AS n, COALESCE(sum(transfers), 0)::int8 AS transfers, COALESCE(sum(control_sum_cents), 0)::int8 AS cents FROM payment_runs',
      ),
    ]);
    return {
      orders: orders.map((o) => ({ state: o.state, count: Number(o.n), cents: Number(o.cents) })),
      runs: { count: Number(runs!.n), transfers: Number(runs!.transfers), controlSumCents: Number(runs!.cents) },
    };
  }

  /**
   * The money proposals awaiting an ordonnateur's validation, with their ageing (days since proposed,
   * at `now`): what waits, how much, and for how long.
   */
  async awaitingValidation(now: Date): Promise<{
    count: number;
    cents: number;
    ageing: { days: (typeof AGEING)[number]['days']; count: number; cents: number }[];
  }> {
    const rows = await this.sql.query<{ days: number; n: number; cents: string }>(
      `SELECT floor(extract(epoch FROM ($1::timestamptz - proposed_at)) / 86400)::int AS days, count(*)::int AS n,
              sum(amount_cents)::int8 AS cents
       FROM money_proposals WHERE state = 'proposed' GROUP BY 1`,
      [now.toISOString()],
    );
    const ageing = AGEING.map((b) => {
      const within = rows.filter((r) => Number(r.days) >= b.from && Number(r.days) <= b.to);
      return {
        days: b.days,
        count: within.reduce((t, r) => t + Number(r.n), 0),
        cents: within.reduce((t, r) => t + Number(r.cents), 0),
      };
    });
    return {
      count: ageing.reduce((t, b) => t + b.count, 0),
      cents: ageing.reduce((t, b) => t + b.cents, 0),
      ageing,
    };
  }
}

/** The ageing's brackets, in whole days since a proposal was made. */
const AGEING = [
  { days: '0-1', from: Number.MIN_SAFE_INTEGER, to: 1 },
  { days: '2-7', from: 2, to: 7 },
  { days: '8-30', from: 8, to: 30 },
  { days: '31+', from: 31, to: Number.MAX_SAFE_INTEGER },
] as const;
