import type { BdcRecord } from '../../domain/bdc-view';
import type { BdcMoney } from '../../domain/invariants';
import { Controls } from '../../db/controls';
import { Ledger } from '../../db/ledger';
import { BdcRecords } from '../../db/record';
import type { Harness } from './harness';

/**
 * One BDC's money as the invariants read it — its record and audit, its ledger rows, its claims, its
 * controls — from one snapshot of the database (a transition committing between two reads would
 * show half of it).
 */
export function moneyOf(h: Harness, bdcId: string): Promise<BdcMoney> {
  return h.ledger.sql.transaction(async (sql) => {
    await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const view = (await new BdcRecords(sql).get(bdcId))!;
    const [orders, demands, claims, controlRows, proposals] = await Promise.all([
      sql.query<{ kind: 'advance' | 'balance'; amount_cents: string }>(
        'SELECT kind, amount_cents FROM payment_orders WHERE bdc_id = $1 ORDER BY id',
        [bdcId],
      ),
      sql.query<{
        id: string;
        kind: 'reimbursement' | 'recovery';
        control_id: string | null;
        amount_cents: string;
        received: string;
        written_off: string;
      }>(
        `SELECT d.id, d.kind, d.control_id, d.amount_cents,
              (SELECT COALESCE(sum(amount_cents), 0) FROM reimbursement_receipts r WHERE r.demand_id = d.id) AS received,
              (SELECT COALESCE(sum(amount_cents), 0) FROM demand_write_offs w WHERE w.demand_id = d.id) AS written_off
       FROM reimbursement_demands d WHERE d.bdc_id = $1 ORDER BY d.id`,
        [bdcId],
      ),
      new Ledger(sql).claimsOf(bdcId),
      sql.query<{ control_id: string }>('SELECT control_id FROM controls WHERE bdc_id = $1 ORDER BY control_id', [
        bdcId,
      ]),
      sql.query<Record<string, unknown>>(
        'SELECT * FROM money_proposals WHERE bdc_id = $1 ORDER BY process, process_id, proposal_id',
        [bdcId],
      ),
    ]);
    const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
    const controls = new Controls(sql);
    const { audit, refused: _refused, ...record } = view;
    return {
      record: record as BdcRecord,
      audit,
      orders: orders.map((o) => ({ kind: o.kind, amountCents: Number(o.amount_cents) })),
      demands: demands.map((d) => ({
        id: Number(d.id),
        kind: d.kind,
        ...(d.control_id ? { controlId: d.control_id } : {}),
        amountCents: Number(d.amount_cents),
        receivedCents: Number(d.received),
        writtenOffCents: Number(d.written_off),
      })),
      claims,
      proposals: proposals.map((p) => ({
        process: p.process as 'bdc' | 'control',
        processId: String(p.process_id),
        kind: p.kind as BdcMoney['proposals'][number]['kind'],
        amountCents: Number(p.amount_cents),
        state: p.state as BdcMoney['proposals'][number]['state'],
        proposedBy: json(p.proposed_by),
        ...(p.caused_by ? { causedBy: json(p.caused_by) } : {}),
        validationsNeeded: Number(p.validations_needed),
        validations: json(p.validations),
      })),
      controls: (await Promise.all(controlRows.map((c) => controls.get(c.control_id)))).filter((c) => c !== undefined),
    };
  });
}

/** A French amount read off a page or a French CSV ("1 752,00 €", "-157,00") as cents. */
export function centsOfFrench(text: string): number {
  const cleaned = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d{1,2})?$/.test(cleaned)) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  return Math.round(Number(cleaned) * 100);
}
