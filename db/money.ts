import type { MoneyFigures } from '../domain/money';
import type { Sql } from './sql';

export type { MoneyFigures } from '../domain/money';

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

  /** One BDC's figures. */
  async ofBdc(bdcId: string): Promise<MoneyFigures> {
    const [row] = await this.sql.query(`SELECT ${SUMS} FROM bdc_money WHERE bdc_id = $1`, [bdcId]);
    return figures(row!);
  }
}
