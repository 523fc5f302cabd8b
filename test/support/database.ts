import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Ledger } from '../../db/ledger';
import { migrate } from '../../db/migrations';
import { openPglite } from '../../db/pglite';
import { openPostgres } from '../../db/postgres';
import type { Sql } from '../../db/sql';

/**
 * The ledger's backends under test: embedded PGlite always, and a real PostgreSQL server when
 * TEST_DATABASE_URL names one (.ci/run starts one). Each test database is new and migrated.
 */
export interface Backend {
  name: 'pglite' | 'postgres';
  open(): Promise<Sql>;
}

async function freshPostgres(adminUrl: string): Promise<Sql> {
  const name = `sons_test_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return openPostgres(url.toString(), 60);
}

const postgresUrl = process.env.TEST_DATABASE_URL;
if (process.env.CI === 'true' && !postgresUrl) throw new Error('CI must run the ledger suite on PostgreSQL too: set TEST_DATABASE_URL');

export const backends: Backend[] = [
  { name: 'pglite', open: () => openPglite() },
  ...(postgresUrl ? [{ name: 'postgres' as const, open: () => freshPostgres(postgresUrl) }] : []),
];

export async function openLedger(backend: Backend = backends[0]!): Promise<Ledger> {
  const sql = await backend.open();
  await migrate(sql);
  return new Ledger(sql);
}
