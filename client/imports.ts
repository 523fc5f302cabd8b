import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import {
  importColumns,
  importLayout,
  parseCsv,
  refusedRowsCsv,
  requestOf,
  type ImportResult,
} from '../domain/bdc-import';
import { localizeRefusal } from '../domain/localize';
import { writeCsv } from '../domain/csv';
import { render, say } from '../domain/messages';
import { refuse, RefusedError } from '../domain/refusal';
import { Imports, type ImportJob } from '../db/imports';
import type { Caller, EngineContext } from './context';
import { importFinessExtraction, type ImportSummary } from './finess-import';
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

/** Refused lines kept with an import, at most: a broken file must not fill the database with itself. */
const MAX_REFUSED_LINES = 10_000;
/** Refused lines its page lists (every one is in the download). */
const REFUSED_SHOWN = 100;

/**
 * Imports a FINESS extraction as one import of the Imports page, whoever starts it — the console in
 * the background, the API (and `sons finess import` through it) while the request waits: its
 * progress as it goes, then its counts and its refused lines with their reasons in French (listed,
 * and as a spreadsheet to download). The import's id comes first (`begun`): the console's page
 * follows it while it runs.
 */
export async function importFinessRecorded(
  ctx: EngineContext,
  caller: Caller,
  file: string,
  fileName: string,
  begun: (importId: string) => void = () => undefined,
): Promise<ImportSummary & { importId: string }> {
  const importId = `finess-${randomUUID()}`;
  const jobs = new Imports(ctx.sql);
  await jobs.begin({ importId, kind: 'finess', fileName, startedBy: caller.actor.id });
  begun(importId);
  const progress = throttled((done, total) => jobs.progress(importId, done, total));
  const refused: { line: number; content: string; reason: string }[] = [];
  try {
    const summary = await importFinessExtraction(
      ctx.finess,
      file,
      (p) => progress(p.bytesRead, p.bytesTotal),
      ({ line, content, said }) => {
        if (refused.length < MAX_REFUSED_LINES)
          refused.push({ line, content, reason: render(said.key, said.params, 'fr') ?? said.message });
      },
    );
    await jobs.finish(importId, {
      outcome: {
        extractionDate: summary.extraction.date,
        encoding: summary.encoding,
        read: summary.extraction.rowsRead,
        kept: summary.extraction.rowsKept,
        rejected: summary.extraction.rowsRejected,
        rejections: summary.rejections,
        refusedLines: refused.slice(0, REFUSED_SHOWN).map(({ line, reason }) => ({ line, reason })),
      },
      ...(refused.length
        ? {
            refusedCsv: writeCsv(
              ['Ligne', 'Motif', 'Contenu de la ligne'],
              refused.map((r) => [r.line, r.reason, r.content]),
              { french: true },
            ),
          }
        : {}),
    });
    return { ...summary, importId };
  } catch (err) {
    await jobs.finish(importId, { failure: frenchOf(err) });
    throw err;
  }
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
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sons-import-'));
  const file = path.join(dir, path.basename(upload.fileName).replace(/[^\w.-]/g, '_') || 'extraction.csv');
  await fs.promises.rename(upload.path, file).catch(() => fs.promises.copyFile(upload.path, file));
  return new Promise<string>((resolve, reject) => {
    let begun = false;
    importFinessRecorded(ctx, caller, file, upload.fileName, (importId) => {
      begun = true;
      resolve(importId);
    })
      // once begun, a failure is the import's, on its page; before, the console's answer
      .catch((err) => (begun ? undefined : reject(err)))
      .finally(() => fs.promises.rm(dir, { recursive: true, force: true }));
  });
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
  const layout = importLayout(header);
  if (!layout) {
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
            const { eventId, ...request } = requestOf(row, layout);
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
        ...(result.refused.length ? { refusedCsv: refusedRowsCsv(result.refused, layout) } : {}),
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

/** The latest imports, every kind and whoever started them (console, API, CLI), newest first. */
export const recentImports = (ctx: EngineContext, limit = 50) => new Imports(ctx.sql).recent(limit);
