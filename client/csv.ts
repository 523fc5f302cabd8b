/** RFC 4180 CSV: a header, CRLF line ends, fields quoted when they hold a comma, quote or newline. */
export function toCsv<T>(rows: T[], columns: { header: string; value: (row: T) => string | number }[]): string {
  const field = (v: string | number) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [columns.map((c) => field(c.header)), ...rows.map((r) => columns.map((c) => field(c.value(r))))];
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
