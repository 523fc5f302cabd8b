import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { importColumns, parseCsv, refusedRowsCsv, requestOf, type ImportResult } from '../domain/bdc-import';
import { localizeRefusal } from '../domain/localize';
import { say } from '../domain/messages';
import { refuse, RefusedError } from '../domain/refusal';
import { Imports, type ImportJob } from '../db/imports';
import type { Caller, EngineContext } from './context';
import { importFinessExtraction } from './finess-import';
import { registerBdc } from './intake';

/** Registrations a bulk import runs at once: enough to keep the engine busy, few enough to leave it to others. */
const CONCURRENCY = 6;
/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 500;

const frenchOf = (err: unknown) =>
  err instanceof RefusedError
    ? err.refusals.map((r) => localizeRefusal(r, 'fr').message).join(' ; ')
    : (err as Error).message;

function throttled(write: (done: number, total?: number) => Promise<void>) {
  let last = 0;
  return (done: number, total?: number) => {
    if (Date.now() - last < PROGRESS_EVERY_MS) return;
    last = Date.now();
    void write(done, total).catch(() => undefined);
  };
}

/**
 * Starts importing a FINESS extraction in the background (the page follows its progress): the file
 * is taken over by the import, which removes it once done.
 */
export async function startFinessImport(
  ctx: EngineContext,
  caller: Caller,
  upload: { path: string; fileName: string },
): Promise<string> {
  const importId = `finess-${randomUUID()}`;
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sons-import-'));
  const file = path.join(dir, path.basename(upload.fileName).replace(/[^\w.-]/g, '_') || 'extraction.csv');
  await fs.promises.rename(upload.path, file).catch(() => fs.promises.copyFile(upload.path, file));
  const jobs = new Imports(ctx.sql);
  await jobs.begin({ importId, kind: 'finess', fileName: upload.fileName, startedBy: caller.actor.id });
  const progress = throttled((done, total) => jobs.progress(importId, done, total));
  void (async () => {
    try {
      const summary = await importFinessExtraction(ctx.finess, file, (p) => progress(p.bytesRead, p.bytesTotal));
      await jobs.finish(importId, {
        outcome: {
          extractionDate: summary.extraction.date,
          encoding: summary.encoding,
          read: summary.extraction.rowsRead,
          kept: summary.extraction.rowsKept,
          rejected: summary.extraction.rowsRejected,
          rejections: summary.rejections,
        },
      });
    } catch (err) {
      await jobs.finish(importId, { failure: frenchOf(err) });
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  })();
  return importId;
}

/**
 * Starts registering every row of a bulk file in the background, a few at a time, through intake
 * (every check of a registration applies). A row registered by an earlier run is recognised by its
 * event id and counted as skipped; refused rows are kept with their reasons, in French, to download.
 */
export async function startBdcImport(
  ctx: EngineContext,
  caller: Caller,
  upload: { text: string; fileName: string },
): Promise<string> {
  const [header, ...rows] = parseCsv(upload.text);
  if (
    !header ||
    header
      .slice(0, importColumns.length)
      .map((h) => h.trim().toLowerCase())
      .join() !== importColumns.join()
  ) {
    throw refuse('bad_header', say('import_bad_header', { columns: importColumns.join(';') }), 'file');
  }
  const importId = `bdcs-${randomUUID()}`;
  const jobs = new Imports(ctx.sql);
  await jobs.begin({
    importId,
    kind: 'bdcs',
    fileName: upload.fileName,
    startedBy: caller.actor.id,
    total: rows.length,
  });
  const progress = throttled((done) => jobs.progress(importId, done));
  void (async () => {
    const result: ImportResult = { registered: 0, skipped: 0, refused: [] };
    let done = 0;
    const limit = pLimit(CONCURRENCY);
    try {
      await Promise.all(
        rows.map((row, index) =>
          limit(async () => {
            const { eventId, ...request } = requestOf(row);
            try {
              const registered = await registerBdc(ctx, caller, request, eventId);
              if (registered.created) result.registered++;
              else result.skipped++;
            } catch (err) {
              if (!(err instanceof RefusedError)) throw err;
              if (err.refusals[0]?.code === 'already_registered') result.skipped++;
              else
                result.refused.push({
                  line: index + 2,
                  row,
                  refusals: err.refusals.map((r) => localizeRefusal(r, 'fr')),
                });
            }
            progress(++done);
          }),
        ),
      );
      result.refused.sort((a, b) => a.line - b.line);
      await jobs.progress(importId, done);
      await jobs.finish(importId, {
        outcome: { registered: result.registered, skipped: result.skipped, refused: result.refused.length },
        ...(result.refused.length ? { refusedCsv: refusedRowsCsv(result.refused) } : {}),
      });
    } catch (err) {
      await jobs.finish(importId, {
        outcome: { registered: result.registered, skipped: result.skipped, refused: result.refused.length },
        failure: frenchOf(err),
      });
    }
  })();
  return importId;
}

export async function importJob(ctx: EngineContext, importId: string): Promise<ImportJob> {
  const job = await new Imports(ctx.sql).get(importId);
  if (!job) throw refuse('not_found', say('unknown_import', { importId }), 'importId', importId);
  return job;
}

export type { ImportJob };

export const recentImports = (ctx: EngineContext, limit = 10) => new Imports(ctx.sql).recent(limit);
