import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Ledger } from '../../db/ledger';
import { migrate } from '../../db/migrations';
import { openPglite } from '../../db/pglite';
import { openPostgres } from '../../db/postgres';
import { enrolInDatabase } from '../../scripts/samples/enrolment';
import type { Sql } from '../../db/sql';

/**
 * The ledger's backends under test: embedded PGlite always, and a real PostgreSQL server when
 * TEST_DATABASE_URL names one (.ci/run starts one). Each test database is new and migrated.
 */
export interface Backend {
  name: 'pglite' | 'postgres';
  /** a new, empty database, with the URL other processes reach it by (PostgreSQL only) */
  open(): Promise<{ sql: Sql; url?: string }>;
}

async function freshPostgres(adminUrl: string): Promise<{ sql: Sql; url: string }> {
  const name = `sons_test_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { sql: openPostgres(url.toString(), 60), url: url.toString() };
}

const postgresUrl = process.env.TEST_DATABASE_URL;
if (process.env.CI === 'true' && !postgresUrl)
  throw new Error('CI must run the ledger suite on PostgreSQL too: set TEST_DATABASE_URL');

export const backends: Backend[] = [
  { name: 'pglite', open: async () => ({ sql: await openPglite() }) },
  ...(postgresUrl ? [{ name: 'postgres' as const, open: () => freshPostgres(postgresUrl) }] : []),
];

export async function openTestDatabase(backend: Backend = backends[0]!): Promise<{ ledger: Ledger; url?: string }> {
  const { sql, url } = await backend.open();
  await migrate(sql);
  return { ledger: new Ledger(sql), url };
}

/** A ledger of its own, its fixture éditeur editeur-acme enrolled (no order is written for one that is not). */
export async function openLedger(backend?: Backend): Promise<Ledger> {
  const { ledger } = await openTestDatabase(backend);
  await enrolInDatabase(ledger.sql, 'editeur-acme');
  return ledger;
}

/** The PostgreSQL backend; the run's global setup starts one (CI requires it). */
export function postgresBackend(): Backend {
  const pg = backends.find((b) => b.name === 'postgres');
  if (!pg) throw new Error('no PostgreSQL for this test: set TEST_DATABASE_URL or let the global setup start one');
  return pg;
}
