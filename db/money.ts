import type { DemandFigures, MoneyFigures } from '../domain/money';
import type { Sql } from './sql';

export type { DemandFigures, MoneyFigures } from '../domain/money';

/**
 * The money the engine shows, from one source: the view `bdc_money` (db/migrations/011), the sums of
 * the ledger's own rows for each BDC. The dashboard, a BDC's page, the summary (API and CSV) read
 * these figures and nothing else, so no screen can contradict an export or the ledger.
 */
export type MoneyGroup = 'campaign' | 'status' | 'editeur';
const column: Record<MoneyGroup, string> = { campaign: 'campaign_id', status: 'status', editeur: 'editeur_id' };

const SUMS = `count(*)::int AS bdcs, COALESCE(sum(ceiling_cents), 0)::int8 AS committed, COALESCE(sum(advance_cents), 0)::int8 AS advanced,
  COALESCE(sum(paid_cents), 0)::int8 AS paid, COALESCE(sum(reimbursement_demanded_cents + recovery_demanded_cents), 0)::int8 AS demanded,
  COALESCE(sum(received_cents), 0)::int8 AS received, COALESCE(sum(written_off_cents), 0)::int8 AS written_off,
  COALESCE(sum(outstanding_cents), 0)::int8 AS outstanding`;

const figures = (r: Record<string, unknown>): MoneyFigures => ({
  bdcs: Number(r.bdcs),
  committedCents: Number(r.committed),
  advancedCents: Number(r.advanced),
  paidCents: Number(r.paid),
  demandedCents: Number(r.demanded),
  receivedCents: Number(r.received),
  writtenOffCents: Number(r.written_off),
  outstandingCents: Number(r.outstanding),
});

export class MoneyQueries {
  constructor(private readonly sql: Sql) {}

  /** The figures summed by the groups asked (none: one line, every BDC). */
  async totals<G extends MoneyGroup>(groups: G[] = []): Promise<(MoneyFigures & Record<G, string>)[]> {
    const names = groups.map((g) => `${column[g]} AS ${g}`);
    const by = groups.map((g) => column[g]);
    const rows = await this.sql.query(
      `SELECT ${[...names, SUMS].join(', ')} FROM bdc_money${by.length ? ` GROUP BY ${by.join(', ')} ORDER BY ${by.join(', ')}` : ''}`,
    );
    return rows.map(
      (r) =>
        ({ ...figures(r), ...Object.fromEntries(groups.map((g) => [g, String(r[g])])) }) as MoneyFigures &
          Record<G, string>,
    );
  }

  /**
   * Each demand of money back — the advance's reimbursement, a control's recovery — with what was
   * received and given up against it and what is still due, from the ledger's own rows: what an
   * éditeur's pages show of what it owes and by when (one BDC's, or every BDC of one éditeur).
   */
  async demands(of: { bdcId: string } | { editeurId: string }): Promise<DemandFigures[]> {
    const [where, value] = 'bdcId' in of ? ['d.bdc_id = $1', of.bdcId] : ['b.editeur_id = $1', of.editeurId];
    // outstanding as bdc_money sums it (demanded − received − written off), demand by demand
    const rows = await this.sql.query(
      `SELECT *, (amount_cents - received - written_off)::int8 AS outstanding FROM (
         SELECT d.id, d.bdc_id, d.kind, d.control_id, d.amount_cents, d.due_at, d.issued_at,
                COALESCE((SELECT sum(amount_cents) FROM reimbursement_receipts r WHERE r.demand_id = d.id), 0)::int8 AS received,
                COALESCE((SELECT sum(amount_cents) FROM demand_write_offs w WHERE w.demand_id = d.id), 0)::int8 AS written_off
         FROM reimbursement_demands d JOIN bdcs b USING (bdc_id) WHERE ${where}) x
       ORDER BY due_at, id`,
      [value],
    );
    const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();
    return rows.map((r) => ({
      demandId: Number(r.id),
      bdcId: String(r.bdc_id),
      kind: r.kind as DemandFigures['kind'],
      ...(r.control_id ? { controlId: String(r.control_id) } : {}),
      amountCents: Number(r.amount_cents),
      receivedCents: Number(r.received),
      writtenOffCents: Number(r.written_off),
      outstandingCents: Number(r.outstanding),
      dueAt: iso(r.due_at),
      issuedAt: iso(r.issued_at),
    }));
  }

  /** One BDC's figures. */
  async ofBdc(bdcId: string): Promise<MoneyFigures> {
    const [row] = await this.sql.query(`SELECT ${SUMS} FROM bdc_money WHERE bdc_id = $1`, [bdcId]);
    return figures(row!);
  }
}
