#!/usr/bin/env node
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { loadCampaigns } from '../config/campaigns';
import { ConfigError, loadConfig, type Config } from '../config/env';
import { Ledger } from '../db/ledger';
import { openDatabase } from '../db/open';
import { DatabaseBusyError } from '../db/pglite';
import { FinessReference } from '../db/finess';
import type { Sql } from '../db/sql';
import { finessSchema } from '../domain/finess';
import { RefusedError, refuse } from '../domain/refusal';
import { importFinessExtraction, type Progress } from './finess-import';
import { allBdcViews, reconcile } from './ledger-reconciliation';
import { paymentOrdersCsv } from './ledger-export';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, differences: 1, usage: 2, unavailable: 3, failure: 4, refused: 5 } as const;

const usage = `usage:
  sons campaigns                   the configured campaigns (shipped and CAMPAIGNS_FILE)
  sons finess import FILE          import a FINESS extraction (a new version; earlier BDCs keep theirs)
  sons finess exclusions FILE      import ESSMS excluded for ESMS numérique funding (CSV: finess;reason)
  sons ledger reconcile [--json]   compare every BDC's state with the ledger; exit 1 on any difference
  sons ledger export [--out FILE]  payment orders as CSV (UTF-8, euros with two decimals)`;

async function withDatabase<T>(config: Config, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = await openDatabase(config);
  try {
    return await fn(sql);
  } finally {
    await sql.close();
  }
}

const withLedger = <T>(config: Config, fn: (ledger: Ledger) => Promise<T>) => withDatabase(config, (sql) => fn(new Ledger(sql)));

/** A bar on a terminal, a line every 10 % otherwise (CI logs). */
function progressBar(out: NodeJS.WriteStream): Progress {
  let lastTenth = -1;
  return ({ rowsRead, bytesRead, bytesTotal }) => {
    const ratio = bytesTotal ? bytesRead / bytesTotal : 1;
    if (out.isTTY) {
      const width = 30;
      out.write(`\r[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${Math.round(ratio * 100)}% ${rowsRead} rows`);
    } else if (Math.floor(ratio * 10) > lastTenth) {
      lastTenth = Math.floor(ratio * 10);
      out.write(`${lastTenth * 10}% ${rowsRead} rows\n`);
    }
  };
}

/** `finess;reason` lines (a header line is skipped); every FINESS is validated. */
function parseExclusions(text: string): { finess: string; reason: string }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), i }))
    .filter(({ line, i }) => line && !(i === 0 && /^finess/i.test(line)))
    .map(({ line, i }) => {
      const [raw = '', reason = 'financed by ESMS numérique for a référencé DUI'] = line.split(';');
      const parsed = finessSchema.safeParse(raw);
      if (!parsed.success) throw refuse('invalid_finess', `line ${i + 1}: ${parsed.error.issues[0]?.message}`, `line.${i + 1}`, raw);
      return { finess: parsed.data, reason: reason.trim() };
    });
}

async function run(args: string[]): Promise<number> {
  const config = loadConfig();
  const [group, command, ...rest] = args;
  if (group === 'campaigns' && command === undefined) {
    for (const c of loadCampaigns(config)) {
      process.stdout.write(`${c.id}\t${c.couloir}\topens ${c.openingDate}\torders by ${c.orderDeadline}\tcloses ${c.closingDate}\t${c.label}\n`);
    }
    return EXIT.ok;
  }
  if (group === 'finess' && command === 'import' && rest[0]) {
    const file = rest[0];
    const summary = await withDatabase(config, (sql) => importFinessExtraction(new FinessReference(sql), file, progressBar(process.stderr)));
    process.stderr.write('\n');
    const { extraction, encoding, rejections } = summary;
    process.stdout.write(`extraction of ${extraction.date} (#${extraction.id}, ${encoding}): ${extraction.rowsRead} rows read, ${extraction.rowsKept} kept, ${extraction.rowsRejected} rejected\n`);
    for (const [reason, r] of Object.entries(rejections)) process.stdout.write(`  ${r.count} × ${reason} (lines ${r.lines.join(', ')}${r.count > r.lines.length ? ', …' : ''})\n`);
    return EXIT.ok;
  }
  if (group === 'finess' && command === 'exclusions' && rest[0]) {
    const entries = parseExclusions(fs.readFileSync(rest[0], 'utf8'));
    const total = await withDatabase(config, (sql) => new FinessReference(sql).importExclusions(entries));
    process.stdout.write(`${entries.length} exclusions imported; the list holds ${total}\n`);
    return EXIT.ok;
  }
  if (group === 'ledger' && command === 'export') {
    const outIndex = rest.indexOf('--out');
    const csv = await withLedger(config, paymentOrdersCsv);
    if (outIndex >= 0 && rest[outIndex + 1]) fs.writeFileSync(rest[outIndex + 1]!, csv, 'utf8');
    else process.stdout.write(csv);
    return EXIT.ok;
  }
  if (group === 'ledger' && command === 'reconcile') {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}` });
    try {
      const views = await allBdcViews(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }));
      const differences = await withLedger(config, async (ledger) => reconcile(views, await ledger.entries()));
      if (rest.includes('--json')) process.stdout.write(`${JSON.stringify({ bdcs: views.length, differences }, null, 2)}\n`);
      else {
        for (const d of differences) process.stdout.write(`${d.bdcId}\t${d.kind}\t${d.what}\n`);
        process.stdout.write(`${views.length} BDCs compared, ${differences.length} difference(s)\n`);
      }
      return differences.length ? EXIT.differences : EXIT.ok;
    } finally {
      await connection.close();
    }
  }
  process.stderr.write(`${usage}\n`);
  return EXIT.usage;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof RefusedError) {
      process.stderr.write(`sons: refused:\n${err.refusals.map((r) => `  ${r.code}${r.path ? ` (${r.path})` : ''}: ${r.message}`).join('\n')}\n`);
      process.exit(EXIT.refused);
    }
    const known = err instanceof ConfigError || err instanceof DatabaseBusyError;
    process.stderr.write(`sons: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
    process.exit(known ? EXIT.unavailable : EXIT.failure);
  },
);
