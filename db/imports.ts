import type { Sql } from './sql';

export interface ImportJob {
  importId: string;
  kind: 'finess' | 'bdcs';
  fileName: string;
  startedBy: string;
  total?: number;
  done: number;
  /** what the import found, once finished: counts by outcome, rejections by reason */
  outcome?: Record<string, unknown>;
  refusedCsv?: string;
  /** why it stopped, when it failed as a whole (not a FINESS file, no header…) */
  failure?: string;
  finished: boolean;
  startedAt: string;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

/** Imports started from the console: their progress, written as they go, and their outcome. */
export class Imports {
  constructor(readonly sql: Sql) {}

  async begin(job: {
    importId: string;
    kind: ImportJob['kind'];
    fileName: string;
    startedBy: string;
    total?: number;
  }): Promise<void> {
    await this.sql.query(
      'INSERT INTO imports (import_id, kind, file_name, started_by, total) VALUES ($1, $2, $3, $4, $5)',
      [job.importId, job.kind, job.fileName, job.startedBy, job.total ?? null],
    );
  }

  async progress(importId: string, done: number, total?: number): Promise<void> {
    await this.sql.query(
      'UPDATE imports SET done = $2, total = COALESCE($3, total), updated_at = now() WHERE import_id = $1',
      [importId, done, total ?? null],
    );
  }

  async finish(
    importId: string,
    end: { outcome?: Record<string, unknown>; refusedCsv?: string; failure?: string },
  ): Promise<void> {
    await this.sql.query(
      'UPDATE imports SET finished = true, outcome = $2, refused_csv = $3, failure = $4, updated_at = now() WHERE import_id = $1',
      [importId, end.outcome ? JSON.stringify(end.outcome) : null, end.refusedCsv ?? null, end.failure ?? null],
    );
  }

  async get(importId: string): Promise<ImportJob | undefined> {
    const [r] = await this.sql.query('SELECT * FROM imports WHERE import_id = $1', [importId]);
    if (!r) return undefined;
    return {
      importId: String(r.import_id),
      kind: r.kind as ImportJob['kind'],
      fileName: String(r.file_name),
      startedBy: String(r.started_by),
      ...(r.total === null ? {} : { total: Number(r.total) }),
      done: Number(r.done),
      ...(r.outcome
        ? { outcome: (typeof r.outcome === 'string' ? JSON.parse(r.outcome) : r.outcome) as Record<string, unknown> }
        : {}),
      ...(r.refused_csv ? { refusedCsv: String(r.refused_csv) } : {}),
      ...(r.failure ? { failure: String(r.failure) } : {}),
      finished: Boolean(r.finished),
      startedAt: iso(r.started_at),
    };
  }

  /** The latest imports, newest first. */
  async recent(limit: number): Promise<ImportJob[]> {
    const rows = await this.sql.query<{ import_id: string }>(
      'SELECT import_id FROM imports ORDER BY started_at DESC LIMIT $1',
      [limit],
    );
    return (await Promise.all(rows.map((r) => this.get(r.import_id)))).filter((j): j is ImportJob => j !== undefined);
  }
}
