import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer of the engine: every export and every refused-rows file goes through it, so no
 * cell can be read as a formula by the spreadsheet that opens the file (CSV injection: `=HYPERLINK(…)`,
 * `=cmd|' /C calc'!A0`, `@SUM(…)`).
 *
 * The rule, decided once: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * is written with a leading `'`, which spreadsheets take as "this is text" and do not show. That holds
 * for every text, whoever wrote it — "-157,00" typed by a user is neutralised like any other. What the
 * engine formats itself from a number (money in cents, counts) is not text: a JavaScript number, or an
 * `EngineNumber` (a French decimal such as "-157,00" made by `moneyCell`), is written as it is, so a
 * spreadsheet still sums a negative amount; an `EngineNumber` is checked to be digits and nothing else.
 */
export const FORMULA_START = /^[=+\-@\t\r]/;

/** A number the engine wrote itself: digits, an optional sign and decimal mark, nothing a formula needs. */
export class EngineNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(?:[.,]\d+)?$/.test(text)) throw new Error(`not a number the engine formats: ${JSON.stringify(text)}`);
  }
}

export type CsvCell = string | number | EngineNumber;

/** A text cell as a spreadsheet reads it safely: `'` before a formula's first character. */
export const neutralised = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);

/** The reverse, for a file the engine wrote and a user fixed and sends back (a refused-rows file). */
export const unneutralised = (text: string) => (/^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text);

const cellText = (cell: CsvCell): string =>
  cell instanceof EngineNumber ? cell.text : typeof cell === 'number' ? String(cell) : neutralised(cell);

/**
 * RFC 4180 CSV with a header and CRLF line ends; `french`: as a French spreadsheet opens it (`;`
 * between fields, UTF-8 with a byte-order mark).
 */
export function writeCsv(header: string[], rows: CsvCell[][], { french = false }: { french?: boolean } = {}): string {
  return stringify(
    rows.map((row) => row.map(cellText)),
    {
      header: true,
      columns: header.map(neutralised),
      record_delimiter: 'windows',
      ...(french ? { delimiter: ';', bom: true } : {}),
    },
  );
}
