import { say } from '../domain/messages';
import type { Establishment } from '../domain/eligibility';
import { refuse } from '../domain/refusal';
import { Fresh } from './fresh';
import type { Sql } from './sql';

export interface Extraction {
  id: number;
  date: string;
  rowsRead: number;
  rowsKept: number;
  rowsRejected: number;
}

const columns = [
  'nofinesset',
  'nofinessej',
  'rs',
  'departement',
  'categetab',
  'libcategetab',
  'categagretab',
  'libcategagretab',
] as const;

function readExtraction(r: Record<string, unknown>): Extraction {
  const date =
    r.extraction_date instanceof Date
      ? r.extraction_date.toISOString().slice(0, 10)
      : String(r.extraction_date).slice(0, 10);
  return {
    id: Number(r.id),
    date,
    rowsRead: Number(r.rows_read),
    rowsKept: Number(r.rows_kept),
    rowsRejected: Number(r.rows_rejected),
  };
}

/** The imported FINESS extractions, each kept whole, and the ESMS numérique exclusion list. */
export class FinessReference {
  /** the current extraction, read again every few seconds (imports are rare) and after an import here */
  private readonly current = new Fresh(5_000, async () => {
    const [row] = await this.sql.query(
      'SELECT * FROM finess_extractions WHERE complete ORDER BY extraction_date DESC LIMIT 1',
    );
    return row ? readExtraction(row) : undefined;
  });

  constructor(readonly sql: Sql) {}

  /** Opens a new extraction for import; an extraction date already imported is refused. */
  async beginExtraction(date: string, source: string, encoding: string): Promise<number> {
    const [done] = await this.sql.query('SELECT complete FROM finess_extractions WHERE extraction_date = $1', [date]);
    if (done?.complete)
      throw refuse('extraction_already_imported', say('extraction_already_imported', { date }), 'date', date);
    // an import interrupted earlier is started again from nothing
    await this.sql.query('DELETE FROM finess_extractions WHERE extraction_date = $1', [date]);
    const [row] = await this.sql.query<{ id: number }>(
      'INSERT INTO finess_extractions (extraction_date, source, encoding) VALUES ($1, $2, $3) RETURNING id',
      [date, source, encoding],
    );
    return row!.id;
  }

  async insertEstablishments(extractionId: number, batch: Establishment[]): Promise<void> {
    if (!batch.length) return;
    // one multi-row INSERT per batch; a row repeated in the file keeps its first occurrence
    const params: unknown[] = [];
    const values = batch.map(
      (e) => `(${[extractionId, ...columns.map((c) => e[c])].map((v) => `$${params.push(v)}`).join(', ')})`,
    );
    await this.sql.query(
      `INSERT INTO finess_establishments (extraction_id, ${columns.join(', ')}) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
  }

  async completeExtraction(
    extractionId: number,
    counts: { read: number; kept: number; rejected: number },
  ): Promise<Extraction> {
    const [row] = await this.sql.query(
      'UPDATE finess_extractions SET rows_read = $2, rows_kept = $3, rows_rejected = $4, complete = true WHERE id = $1 RETURNING *',
      [extractionId, counts.read, counts.kept, counts.rejected],
    );
    this.current.forget();
    return readExtraction(row!);
  }

  /** The extraction of a date, once completely imported (a campaign pins one for its tranches). */
  async extractionOf(date: string): Promise<Extraction | undefined> {
    const [row] = await this.sql.query('SELECT * FROM finess_extractions WHERE extraction_date = $1 AND complete', [
      date,
    ]);
    return row ? readExtraction(row) : undefined;
  }

  /** The extraction new BDCs are checked against: the most recent one completely imported. */
  currentExtraction(): Promise<Extraction | undefined> {
    return this.current.get();
  }

  async establishments(extractionId: number, finess: string[]): Promise<Map<string, Establishment>> {
    const rows = await this.sql.query<Establishment>(
      `SELECT ${columns.join(', ')} FROM finess_establishments WHERE extraction_id = $1 AND nofinesset = ANY($2::text[])`,
      [extractionId, finess],
    );
    return new Map(rows.map((r) => [r.nofinesset, r]));
  }

  async ogEstablishments(extractionId: number, ogFiness: string): Promise<Establishment[]> {
    return this.sql.query<Establishment>(
      `SELECT ${columns.join(', ')} FROM finess_establishments WHERE extraction_id = $1 AND nofinessej = $2 ORDER BY nofinesset`,
      [extractionId, ogFiness],
    );
  }

  async excluded(finess: string[]): Promise<Map<string, string>> {
    const rows = await this.sql.query<{ essms_finess: string; reason: string }>(
      'SELECT essms_finess, reason FROM essms_exclusions WHERE essms_finess = ANY($1::text[])',
      [finess],
    );
    return new Map(rows.map((r) => [r.essms_finess, r.reason]));
  }

  /** Adds (or re-words) exclusions; returns how many the list now holds. */
  async importExclusions(entries: { finess: string; reason: string }[]): Promise<number> {
    await this.sql.transaction(async (tx) => {
      for (const e of entries) {
        await tx.query(
          'INSERT INTO essms_exclusions (essms_finess, reason) VALUES ($1, $2) ON CONFLICT (essms_finess) DO UPDATE SET reason = EXCLUDED.reason',
          [e.finess, e.reason],
        );
      }
    });
    const [row] = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM essms_exclusions');
    return row!.n;
  }
}
