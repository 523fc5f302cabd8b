import { say } from '../domain/messages';
import { importColumns, importLayout, requestOf, type ImportResult } from '../domain/bdc-import';
import { ApiError, cliRefusal, type ApiClient } from './api-client';

/** The API's mark on a registration that repeated an earlier one (same event): the answer is the first's. */
export const REPEATED_HEADER = 'x-sons-repeated';

/**
 * Registers every row through the API, a few at a time; a refused row is kept with its reasons. A row
 * carries the same event id at every run, so a row registered by an earlier run is recognised.
 */
export async function importBdcs(
  api: ApiClient,
  rows: string[][],
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const [header, ...data] = rows;
  const layout = importLayout(header);
  if (!layout) {
    throw new ApiError(0, [
      cliRefusal('bad_header', say('import_bad_header', { columns: importColumns.join(';') }), 'line.1'),
    ]);
  }
  const result: ImportResult = { registered: 0, skipped: 0, refused: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < data.length) {
      const index = next++;
      try {
        const { headers } = await api.exchange('POST', '/bdcs', requestOf(data[index]!, layout));
        if (headers.get(REPEATED_HEADER) === 'true') result.skipped++;
        else result.registered++;
      } catch (err) {
        if (
          !(err instanceof ApiError) ||
          err.status === 0 ||
          err.status >= 500 ||
          err.status === 401 ||
          err.status === 403
        )
          throw err;
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
