import { CsvError, parse } from 'csv-parse/sync';
import type { BdcRequest } from './bdc-view';
import { unneutralised, writeCsv } from './csv';
import { say } from './messages';
import { refuse, type Refusal } from './refusal';

/** A bulk registration file: its columns, its rows as registration requests, its refused rows as a file to fix. */

/**
 * `;`- or `,`-separated text (the delimiter of its first line), quoted fields allowed: rows of fields.
 * Text that is not CSV (a quote never closed…) is refused, naming the line.
 */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = firstLine.split(';').length >= firstLine.split(',').length ? ';' : ',';
  try {
    return parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? err.lines : 0;
    throw refuse('malformed_csv', say('malformed_csv', { line, problem: err.message }), 'file');
  }
}

/** The columns of a bulk registration file, in order (`essms`: FINESS numbers separated by `|`). */
export const importColumns = [
  'editeur_id',
  'reference',
  'campaign_id',
  'solution_id',
  'og_finess',
  'essms',
  'order_date',
  'solution_referenced',
] as const;

/** Columns a file may add after the required ones, named in its header: the OG's name as the order states it. */
export const optionalImportColumns = ['og_name'] as const;

export type ImportColumn = (typeof importColumns)[number] | (typeof optionalImportColumns)[number];

/**
 * A file's columns, read from its header: the required ones in order, then the optional ones it
 * names (a file written before they existed still imports); undefined when the header is not ours.
 */
export function importLayout(header: string[] | undefined): ImportColumn[] | undefined {
  const named = (header ?? []).map((h) => h.trim().toLowerCase());
  if (named.slice(0, importColumns.length).join() !== importColumns.join()) return undefined;
  const optional = optionalImportColumns.filter((c, i) => named[importColumns.length + i] === c);
  return [...importColumns, ...optional];
}

/** A registration as a file's row, in `importColumns`' order: what `requestOf` reads back. */
export function importCells(
  r: Pick<BdcRequest, 'editeurId' | 'reference' | 'campaignId' | 'solutionId' | 'ogFiness' | 'essms' | 'orderDate'> & {
    solutionReferenced?: boolean;
  },
): string[] {
  return [
    r.editeurId,
    r.reference,
    r.campaignId,
    r.solutionId,
    r.ogFiness,
    r.essms.join('|'),
    r.orderDate,
    String(r.solutionReferenced ?? true),
  ];
}

export interface ImportResult {
  registered: number;
  /** already registered by an earlier run: the import is idempotent */
  skipped: number;
  refused: { line: number; row: string[]; refusals: Refusal[] }[];
}

/** A row as the registration request it stands for; the same row always carries the same event id. */
export function requestOf(row: string[], layout: readonly ImportColumn[] = importColumns) {
  // a refused-rows file the engine wrote, fixed and sent back, reads as the user typed it
  const at = (c: ImportColumn) => {
    const i = layout.indexOf(c);
    return i < 0 ? '' : unneutralised(row[i] ?? '').trim();
  };
  const ogName = at('og_name');
  const referenced = at('solution_referenced').toLowerCase();
  return {
    editeurId: at('editeur_id'),
    reference: at('reference'),
    campaignId: at('campaign_id'),
    solutionId: at('solution_id'),
    ogFiness: at('og_finess'),
    ...(ogName ? { ogName } : {}),
    essms: at('essms')
      .split(/[|\s]+/)
      .filter(Boolean),
    orderDate: at('order_date'),
    solutionReferenced: ['true', 'oui', 'yes', '1'].includes(referenced)
      ? true
      : ['false', 'non', 'no', '0'].includes(referenced)
        ? false
        : (referenced as unknown as boolean),
    // the same row always carries the same event id, so a re-run is recognised
    eventId: `import:${at('editeur_id')}:${at('reference')}`,
  };
}

/** The refused rows as a file to fix and import again: the row, then its reasons. */
export function refusedRowsCsv(
  refused: ImportResult['refused'],
  layout: readonly ImportColumn[] = importColumns,
): string {
  const rows = refused.map((r) => [
    ...layout.map((_, i) => r.row[i] ?? ''),
    r.line,
    r.refusals.map((x) => `${x.path}: ${x.message}`).join(' | '),
  ]);
  // as the French spreadsheets read it (`;`, a byte-order mark, no formula), and as an import reads it back once fixed
  return writeCsv([...layout, 'line', 'reasons'], rows, { french: true });
}
