import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFinessExtraction } from '../../client/finess-import';
import { FinessReference } from '../../db/finess';
import { Ledger } from '../../db/ledger';
import { migrate } from '../../db/migrations';
import { openPglite } from '../../db/pglite';
import { openPostgres } from '../../db/postgres';
import type { Sql } from '../../db/sql';
import { withCheckDigit } from '../../domain/finess';
import { writeExtraction } from '../samples/finess-extraction';

/** Each rate is the median of RUNS runs. */
const RUNS = 5;
const ORDERS = 2_000;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sons-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

/** ORDERS payment orders written once each (first writes), then all written again (idempotent replays). */
async function ledgerRates(open: () => Promise<Sql>) {
  const first: number[] = [];
  const replay: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const sql = await open();
    await migrate(sql);
    const ledger = new Ledger(sql);
    const bdcs = Array.from({ length: ORDERS }, (_, i) => `bdc-bench-${run}-${i}`);
    for (const [i, bdcId] of bdcs.entries()) {
      await ledger.registerBdc({
        bdcId,
        editeurId: 'e',
        campaignId: 'c',
        ogFiness: '010003820',
        essms: [`75${String(run * ORDERS + i).padStart(6, '0')}`].map(withCheckDigit),
        ceilingCents: 584_000,
      });
    }
    const orders = bdcs.map((bdcId) => ({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance' as const,
      amountCents: 175_200,
    }));
    const [, ms1] = await timed(async () => {
      for (const o of orders) await ledger.issuePaymentOrder(o);
    });
    const [, ms2] = await timed(async () => {
      for (const o of orders) await ledger.issuePaymentOrder(o);
    });
    first.push((ORDERS / ms1) * 1000);
    replay.push((ORDERS / ms2) * 1000);
    await sql.close();
  }
  return {
    firstWritesPerSecond: round(median(first)),
    idempotentReplaysPerSecond: round(median(replay)),
    runs: RUNS,
    ordersPerRun: ORDERS,
  };
}

async function embeddedStartup() {
  const fresh: number[] = [];
  const reopen: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const dir = path.join(tmp(), 'ledger');
    const [sql, ms] = await timed(async () => {
      const s = await openPglite(dir);
      await migrate(s);
      return s;
    });
    fresh.push(ms);
    await sql.close();
    const [again, ms2] = await timed(async () => {
      const s = await openPglite(dir);
      await migrate(s);
      return s;
    });
    reopen.push(ms2);
    await again.close();
  }
  return { newDatabaseMs: round(median(fresh)), reopenMs: round(median(reopen)), runs: RUNS };
}

/** Runs in a child process of its own so that its peak memory is the importer's alone. */
async function importChild(file: string) {
  const sql = await openPglite(path.join(tmp(), 'ledger'));
  await migrate(sql);
  const [summary, ms] = await timed(() => importFinessExtraction(new FinessReference(sql), file));
  await sql.close();
  process.stdout.write(
    JSON.stringify({
      rows: summary.extraction.rowsKept,
      seconds: +(ms / 1000).toFixed(2),
      rowsPerSecond: round(summary.extraction.rowsKept / (ms / 1000)),
      peakRssMiB: round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

/** The same process without the import: what PGlite itself holds, to set the peak against. */
async function baselineChild() {
  const sql = await openPglite(path.join(tmp(), 'ledger'));
  await migrate(sql);
  await sql.close();
  process.stdout.write(JSON.stringify({ peakRssMiB: round(process.resourceUsage().maxRSS / 1024) }));
}

/**
 * The storage's figures: the ledger's idempotent insert rates on PGlite and PostgreSQL, the embedded
 * database's start-up, and the FINESS importer on a generated 100,000-row extraction (in a child
 * process of its own, so that its peak memory is the importer's alone).
 */
export async function storageFigures(postgresUrl: string) {
  const file = path.join(tmp(), 'finess-100k.csv');
  writeExtraction(file, {
    date: '2024-01-16',
    ogs: Array.from({ length: 2_000 }, (_, i) => ({ eligible: 40 + (i % 20), notEligible: i % 2 === 0 ? 1 : 0 })),
  });
  const imports = Array.from(
    { length: 3 },
    () =>
      JSON.parse(execFileSync(process.execPath, [__filename, 'import-child', file], { encoding: 'utf8' })) as {
        seconds: number;
        rowsPerSecond: number;
        peakRssMiB: number;
      },
  );
  const baseline = JSON.parse(execFileSync(process.execPath, [__filename, 'baseline-child'], { encoding: 'utf8' })) as {
    peakRssMiB: number;
  };
  const importSummary = {
    rows: 100_000,
    baselinePeakRssMiB: baseline.peakRssMiB,
    fileMiB: +(fs.statSync(file).size / 2 ** 20).toFixed(1),
    medianSeconds: median(imports.map((i) => i.seconds)),
    medianRowsPerSecond: median(imports.map((i) => i.rowsPerSecond)),
    peakRssMiB: Math.max(...imports.map((i) => i.peakRssMiB)),
    runs: imports.length,
  };
  let dbSerial = 0;
  const openFreshPostgres = async () => {
    const name = `sons_bench_${process.pid}_${dbSerial++}`;
    const admin = openPostgres(postgresUrl, 1);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.close();
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    return openPostgres(url.toString(), 4);
  };
  return {
    ledgerPglite: await ledgerRates(() => openPglite(path.join(tmp(), 'ledger'))),
    ledgerPostgres: await ledgerRates(openFreshPostgres),
    embeddedStartup: await embeddedStartup(),
    finessImport: importSummary,
  };
}

if (process.argv[2] === 'import-child') void importChild(process.argv[3]!);
if (process.argv[2] === 'baseline-child') void baselineChild();
