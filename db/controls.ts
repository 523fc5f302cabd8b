import type { Candidate, Drawn } from '../domain/sampling';
import { controlEndStatuses, type ControlInput, type ControlRecord, type ControlView } from '../domain/control-view';
import { isoOf as iso, readAudit, unknownProcess, type ProcessTable } from './recorded';
import { journalFacts } from './journal-facts';
import type { Sql } from './sql';

export type DrawRecord = {
  drawId: string;
  seed: string;
  params: Record<string, unknown>;
  population: number;
  populationDigest: string;
  drawnBy: string;
  drawnAt: string;
  sample: Drawn[];
};

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** How the record keeps a control: its row in `controls`, its audit trail in `control_audit`. */
export const controlTable: ProcessTable<ControlRecord> = {
  table: 'controls',
  idColumn: 'control_id',
  auditTable: 'control_audit',
  columns: (r) => ({
    status: r.status,
    version: r.version,
    state: JSON.stringify(r),
    overdue: r.documents.overdue || Boolean(r.recovery?.overdue),
    recovery_cents: r.recovery?.amountCents ?? 0,
    recovered_cents: r.recovery?.receivedCents ?? 0,
    written_off_cents: r.recovery?.writtenOffCents ?? 0,
  }),
  unknown: (id) => unknownProcess('control', id),
  journal: { audit: 'control.audit', state: 'control.state' },
};

/** The a posteriori controls' record: draws, each control's state and audit, their money in the ledger. */
export class Controls {
  constructor(readonly sql: Sql) {}

  /** The population a draw samples from: BDCs completed (work proven, paid) before `endedBefore`, of a campaign if given. */
  async population(filter: {
    campaignId?: string;
    endedBefore: string;
  }): Promise<
    (Candidate & { editeurId: string; paidCents: number; heldCents: number; fourEyesThresholdCents?: number })[]
  > {
    const rows = await this.sql.query<{
      bdc_id: string;
      campaign_id: string;
      editeur_id: string;
      tranche: string;
      paid_cents: number;
      held_cents: number;
      four_eyes_cents: string | null;
    }>(
      `SELECT bdc_id, campaign_id, editeur_id, state->'campaign'->>'tranche' AS tranche, paid_cents,
              state->'campaign'->>'fourEyesThresholdCents' AS four_eyes_cents,
              paid_cents - (SELECT COALESCE(sum(amount_cents), 0) FROM reimbursement_demands d WHERE d.bdc_id = bdcs.bdc_id) AS held_cents
       FROM bdcs
       WHERE state IS NOT NULL AND status = 'completed' AND ended_at < $1 AND ($2::text IS NULL OR campaign_id = $2) ORDER BY bdc_id`,
      [filter.endedBefore, filter.campaignId ?? null],
    );
    return rows.map((r) => ({
      bdcId: r.bdc_id,
      campaign: r.campaign_id,
      editeur: r.editeur_id,
      editeurId: r.editeur_id,
      tranche: r.tranche ?? '',
      paidCents: Number(r.paid_cents),
      heldCents: Number(r.held_cents),
      // the BDC's campaign's threshold decides its recovery's four eyes too
      ...(r.four_eyes_cents !== null ? { fourEyesThresholdCents: Number(r.four_eyes_cents) } : {}),
    }));
  }

  /**
   * Records a draw and the control of each BDC it drew (with the input its workflow starts from), in
   * one transaction; the same draw again changes nothing.
   */
  async recordDraw(
    draw: Omit<DrawRecord, 'drawnAt' | 'sample'>,
    controls: { drawn: Drawn; record: ControlRecord; input: ControlInput }[],
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const inserted = await tx.query(
        'INSERT INTO control_draws (draw_id, seed, params, population, population_digest, drawn_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING draw_id',
        [draw.drawId, draw.seed, JSON.stringify(draw.params), draw.population, draw.populationDigest, draw.drawnBy],
      );
      if (!inserted[0]) return;
      for (const c of controls) {
        await tx.query(
          'INSERT INTO controls (control_id, draw_id, bdc_id, stratum, rank, status, state, workflow_input) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            c.record.controlId,
            draw.drawId,
            c.record.bdcId,
            c.drawn.stratum,
            c.drawn.rank,
            c.record.status,
            JSON.stringify(c.record),
            JSON.stringify(c.input),
          ],
        );
      }
      // the draw and each control it opened, journaled with them
      await journalFacts(tx, 'control.draw', 'draw_id = $1', [draw.drawId]);
      await journalFacts(tx, 'control.opened', 'draw_id = $1', [draw.drawId]);
      await journalFacts(tx, 'control.state', 'draw_id = $1', [draw.drawId]);
    });
  }

  async draw(drawId: string): Promise<DrawRecord | undefined> {
    const [d] = await this.sql.query('SELECT * FROM control_draws WHERE draw_id = $1', [drawId]);
    if (!d) return undefined;
    const sample = await this.sql.query<{ bdc_id: string; stratum: string; rank: string }>(
      'SELECT bdc_id, stratum, rank FROM controls WHERE draw_id = $1 ORDER BY stratum, rank',
      [drawId],
    );
    return {
      drawId: String(d.draw_id),
      seed: String(d.seed),
      params: parse(d.params),
      population: Number(d.population),
      populationDigest: String(d.population_digest),
      drawnBy: String(d.drawn_by),
      drawnAt: iso(d.drawn_at),
      sample: sample.map((s) => ({ bdcId: s.bdc_id, stratum: s.stratum, rank: s.rank })),
    };
  }

  async draws(limit = 20): Promise<Omit<DrawRecord, 'sample'>[]> {
    const rows = await this.sql.query('SELECT * FROM control_draws ORDER BY drawn_at DESC LIMIT $1', [limit]);
    return rows.map((d) => ({
      drawId: String(d.draw_id),
      seed: String(d.seed),
      params: parse(d.params),
      population: Number(d.population),
      populationDigest: String(d.population_digest),
      drawnBy: String(d.drawn_by),
      drawnAt: iso(d.drawn_at),
    }));
  }

  /** The controls of a draw whose workflow is not known to have started. */
  async notStarted(drawId?: string): Promise<ControlInput[]> {
    const rows = await this.sql.query<{ workflow_input: unknown }>(
      'SELECT workflow_input FROM controls WHERE NOT workflow_started AND ($1::text IS NULL OR draw_id = $1) ORDER BY control_id',
      [drawId ?? null],
    );
    return rows.map((r) => parse<ControlInput>(r.workflow_input));
  }

  async markStarted(controlId: string): Promise<void> {
    await this.sql.query('UPDATE controls SET workflow_started = true WHERE control_id = $1', [controlId]);
  }

  async get(controlId: string): Promise<ControlView | undefined> {
    const [row] = await this.sql.query<{ state: unknown }>('SELECT state FROM controls WHERE control_id = $1', [
      controlId,
    ]);
    if (!row) return undefined;
    const audit = await this.sql.query('SELECT * FROM control_audit WHERE control_id = $1 ORDER BY seq', [controlId]);
    return {
      ...parse<ControlRecord>(row.state),
      audit: audit.map(readAudit),
    };
  }

  async list(filter: {
    status?: string;
    overdue?: boolean;
    bdcId?: string;
    drawId?: string;
    /** the controls of one éditeur's BDCs (what its own pages show) */
    editeurId?: string;
    limit?: number;
  }): Promise<ControlRecord[]> {
    const rows = await this.sql.query<{ state: unknown }>(
      `SELECT state FROM controls WHERE ($1::text IS NULL OR status = $1) AND ($2::boolean IS NULL OR overdue = $2) AND ($3::text IS NULL OR bdc_id = $3) AND ($4::text IS NULL OR draw_id = $4)
         AND ($6::text IS NULL OR bdc_id IN (SELECT bdc_id FROM bdcs WHERE editeur_id = $6))
       ORDER BY control_id LIMIT $5`,
      [
        filter.status ?? null,
        filter.overdue ?? null,
        filter.bdcId ?? null,
        filter.drawId ?? null,
        filter.limit ?? 200,
        filter.editeurId ?? null,
      ],
    );
    return rows.map((r) => parse<ControlRecord>(r.state));
  }

  /** Counts and cents of the controls, by status: the summary report's and the dashboard's. */
  async summary(): Promise<
    {
      status: string;
      controls: number;
      overdue: number;
      recoveryCents: number;
      recoveredCents: number;
      writtenOffCents: number;
    }[]
  > {
    const rows = await this.sql.query(
      `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE overdue)::int AS overdue, sum(recovery_cents)::int8 AS recovery, sum(recovered_cents)::int8 AS recovered, sum(written_off_cents)::int8 AS written_off
       FROM controls GROUP BY status ORDER BY status`,
    );
    return rows.map((r) => ({
      status: String(r.status),
      controls: Number(r.n),
      overdue: Number(r.overdue),
      recoveryCents: Number(r.recovery),
      recoveredCents: Number(r.recovered),
      writtenOffCents: Number(r.written_off),
    }));
  }

  /** Every control whose recovery the ledger holds otherwise (demanded, received, written off), compared by the database. */
  async ledgerComparison(): Promise<
    {
      control_id: string;
      bdc_id: string;
      recovery_cents: number;
      demanded_cents: number;
      recovered_cents: number;
      received_cents: number;
      written_off_cents: number;
      ledger_written_off_cents: number;
    }[]
  > {
    return this.sql.query(
      `WITH d AS (SELECT control_id, id, amount_cents FROM reimbursement_demands WHERE kind = 'recovery'),
            r AS (SELECT d.control_id, sum(rr.amount_cents)::int8 AS received FROM reimbursement_receipts rr JOIN d ON d.id = rr.demand_id GROUP BY d.control_id),
            w AS (SELECT d.control_id, sum(w.amount_cents)::int8 AS written_off FROM demand_write_offs w JOIN d ON d.id = w.demand_id GROUP BY d.control_id)
       SELECT c.control_id, c.bdc_id, c.recovery_cents, COALESCE(d.amount_cents, 0)::int8 AS demanded_cents, c.recovered_cents, COALESCE(r.received, 0)::int8 AS received_cents,
              c.written_off_cents, COALESCE(w.written_off, 0)::int8 AS ledger_written_off_cents
       FROM controls c LEFT JOIN d USING (control_id) LEFT JOIN r USING (control_id) LEFT JOIN w USING (control_id)
       WHERE c.recovery_cents <> COALESCE(d.amount_cents, 0) OR c.recovered_cents <> COALESCE(r.received, 0) OR c.written_off_cents <> COALESCE(w.written_off, 0)
       ORDER BY c.control_id`,
    );
  }

  async openCount(): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM controls WHERE status NOT IN (${controlEndStatuses.map((s) => `'${s}'`).join(', ')})`,
    );
    return row!.n;
  }
}
