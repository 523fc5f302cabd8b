import type { Sql } from './sql';

export type BatchOutcome = 'applied' | 'skipped' | 'failed';

export type BatchProgress = {
  batchId: string;
  kind: string;
  params: unknown;
  total?: number;
  applied: number;
  skipped: number;
  failed: number;
  done: boolean;
  /** the BDCs skipped (they refused the event: ended meanwhile…) or failed (kept failing), with why */
  problems: { bdcId: string; outcome: 'skipped' | 'failed'; reason: string }[];
};

/** The batches' progress and each BDC's outcome, written as they go: what their progress reads. */
export class Batches {
  constructor(readonly sql: Sql) {}

  /**
   * The batch as its caller asks for it, before its workflow starts: readable the moment its id is
   * answered (its total comes when the workflow begins). Asking again changes nothing.
   */
  async announce(batchId: string, kind: string, params: unknown): Promise<void> {
    await this.sql.query(
      'INSERT INTO batches (batch_id, kind, params) VALUES ($1, $2, $3) ON CONFLICT (batch_id) DO NOTHING',
      [batchId, kind, JSON.stringify(params)],
    );
  }

  /** The workflow begins: its total, counted once (a batch announced has none yet; a run continued as new keeps the first). */
  async begin(batchId: string, kind: string, params: unknown, total: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO batches (batch_id, kind, params, total) VALUES ($1, $2, $3, $4)
       ON CONFLICT (batch_id) DO UPDATE SET total = EXCLUDED.total, updated_at = now() WHERE batches.total IS NULL`,
      [batchId, kind, JSON.stringify(params), total],
    );
  }

  /** Records each BDC's outcome once, and the counts from them. */
  async record(batchId: string, outcomes: { bdcId: string; outcome: BatchOutcome; reason?: string }[]): Promise<void> {
    if (!outcomes.length) return;
    await this.sql.transaction(async (tx) => {
      const params: unknown[] = [batchId];
      const values = outcomes.map(
        (o) => `($1, $${params.push(o.bdcId)}, $${params.push(o.outcome)}, $${params.push(o.reason ?? null)})`,
      );
      await tx.query(
        `INSERT INTO batch_items (batch_id, bdc_id, outcome, reason) VALUES ${values.join(', ')} ON CONFLICT (batch_id, bdc_id) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason`,
        params,
      );
      await tx.query(
        `UPDATE batches SET applied = c.applied, skipped = c.skipped, failed = c.failed, updated_at = now()
         FROM (SELECT count(*) FILTER (WHERE outcome = 'applied')::int AS applied, count(*) FILTER (WHERE outcome = 'skipped')::int AS skipped,
                      count(*) FILTER (WHERE outcome = 'failed')::int AS failed FROM batch_items WHERE batch_id = $1) c
         WHERE batch_id = $1`,
        [batchId],
      );
    });
  }

  async finish(batchId: string): Promise<void> {
    await this.sql.query('UPDATE batches SET done = true, updated_at = now() WHERE batch_id = $1', [batchId]);
  }

  async progress(batchId: string): Promise<BatchProgress | undefined> {
    const [row] = await this.sql.query('SELECT * FROM batches WHERE batch_id = $1', [batchId]);
    if (!row) return undefined;
    const problems = await this.sql.query<{ bdc_id: string; outcome: 'skipped' | 'failed'; reason: string }>(
      "SELECT bdc_id, outcome, reason FROM batch_items WHERE batch_id = $1 AND outcome <> 'applied' ORDER BY bdc_id LIMIT 1000",
      [batchId],
    );
    return {
      batchId,
      kind: String(row.kind),
      params: typeof row.params === 'string' ? JSON.parse(row.params) : row.params,
      ...(row.total === null ? {} : { total: Number(row.total) }),
      applied: Number(row.applied),
      skipped: Number(row.skipped),
      failed: Number(row.failed),
      done: Boolean(row.done),
      problems: problems.map((p) => ({ bdcId: p.bdc_id, outcome: p.outcome, reason: p.reason })),
    };
  }
}
