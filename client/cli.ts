#!/usr/bin/env node
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { loadCampaigns } from '../config/campaigns';
import { ConfigError, loadConfig, type Config } from '../config/env';
import { Ledger } from '../db/ledger';
import { openDatabase } from '../db/open';
import { DatabaseBusyError } from '../db/pglite';
import { allBdcViews, reconcile } from './ledger-reconciliation';
import { paymentOrdersCsv } from './ledger-export';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, differences: 1, usage: 2, unavailable: 3, failure: 4 } as const;

const usage = `usage:
  sons campaigns                   the configured campaigns (shipped and CAMPAIGNS_FILE)
  sons ledger reconcile [--json]   compare every BDC's state with the ledger; exit 1 on any difference
  sons ledger export [--out FILE]  payment orders as CSV (UTF-8, euros with two decimals)`;

async function withLedger<T>(config: Config, fn: (ledger: Ledger) => Promise<T>): Promise<T> {
  const sql = await openDatabase(config);
  try {
    return await fn(new Ledger(sql));
  } finally {
    await sql.close();
  }
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
    const known = err instanceof ConfigError || err instanceof DatabaseBusyError;
    process.stderr.write(`sons: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
    process.exit(known ? EXIT.unavailable : EXIT.failure);
  },
);
