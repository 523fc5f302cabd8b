import { say } from '../domain/messages';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Refusal } from '../domain/refusal';
import { ApiError, cliRefusal, type ApiClient } from './api-client';

/** `;`- or `,`-separated text (the delimiter of its first line), quoted fields allowed: rows of fields. */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = firstLine.split(';').length >= firstLine.split(',').length ? ';' : ',';
  return parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
}

/** The columns of a bulk registration file, in order (`essms`: FINESS numbers separated by `|`). */
export const importColumns = ['editeur_id', 'reference', 'campaign_id', 'solution_id', 'og_finess', 'essms', 'order_date', 'solution_referenced'] as const;

export interface ImportResult {
  registered: number;
  /** already registered by an earlier run: the import is idempotent */
  skipped: number;
  refused: { line: number; row: string[]; refusals: Refusal[] }[];
}

function requestOf(row: string[]) {
  const at = (c: (typeof importColumns)[number]) => (row[importColumns.indexOf(c)] ?? '').trim();
  const referenced = at('solution_referenced').toLowerCase();
  return {
    editeurId: at('editeur_id'),
    reference: at('reference'),
    campaignId: at('campaign_id'),
    solutionId: at('solution_id'),
    ogFiness: at('og_finess'),
    essms: at('essms').split(/[|\s]+/).filter(Boolean),
    orderDate: at('order_date'),
    solutionReferenced: ['true', 'oui', 'yes', '1'].includes(referenced) ? true : ['false', 'non', 'no', '0'].includes(referenced) ? false : (referenced as unknown as boolean),
    // the same row always carries the same event id, so a re-run is recognised
    eventId: `import:${at('editeur_id')}:${at('reference')}`,
  };
}

/** The API's mark on a registration that repeated an earlier one (same event): the answer is the first's. */
export const REPEATED_HEADER = 'x-sons-repeated';

/**
 * Registers every row through the API, a few at a time; a refused row is kept with its reasons. A row
 * carries the same event id at every run, so a row registered by an earlier run is recognised.
 */
export async function importBdcs(api: ApiClient, rows: string[][], options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<ImportResult> {
  const [header, ...data] = rows;
  if (!header || header.slice(0, importColumns.length).map((h) => h.trim().toLowerCase()).join() !== importColumns.join()) {
    throw new ApiError(0, [cliRefusal('bad_header', say('import_bad_header', { columns: importColumns.join(';') }), 'line.1')]);
  }
  const result: ImportResult = { registered: 0, skipped: 0, refused: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < data.length) {
      const index = next++;
      try {
        const { headers } = await api.exchange('POST', '/bdcs', requestOf(data[index]!));
        if (headers.get(REPEATED_HEADER) === 'true') result.skipped++;
        else result.registered++;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 401 || err.status === 403) throw err;
        if (err.refusals[0]?.code === 'already_registered') result.skipped++;
        else result.refused.push({ line: index + 2, row: data[index]!, refusals: err.refusals });
      }
      options.onProgress?.(++done, data.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, data.length) }, worker));
  result.refused.sort((a, b) => a.line - b.line);
  return result;
}

/** The refused rows as a file to fix and import again: the row, then its reasons. */
export function refusedRowsCsv(refused: ImportResult['refused']): string {
  const rows = refused.map((r) => [...importColumns.map((_, i) => r.row[i] ?? ''), r.line, r.refusals.map((x) => `${x.path}: ${x.message}`).join(' | ')]);
  return stringify(rows, { header: true, columns: [...importColumns, 'line', 'reasons'], record_delimiter: 'windows' });
}
