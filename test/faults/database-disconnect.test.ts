import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openPostgres } from '../../db/postgres';
import { eventually } from '../support/eventually';

// Issue 13, D1: PostgreSQL drops the engine's connections (restart, failover, pg_terminate_backend,
// a proxy's idle timeout): the process lives on, broken connections are discarded, the next call works.
const adminUrl = process.env.TEST_DATABASE_URL!;

async function freshDatabase() {
  const name = `sons_fault_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const terminate = () =>
    admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  return { url: url.toString(), terminate, close: () => admin.end() };
}

test('idle connections terminated by the server: reported, discarded, and the pool works on', async () => {
  const db = await freshDatabase();
  const errors: Error[] = [];
  const sql = openPostgres(db.url, 4, (err) => errors.push(err));
  await Promise.all([1, 2, 3, 4].map(() => sql.query('SELECT pg_sleep(0.05)')));
  await db.terminate();
  // without an error listener, pg would have thrown these in the process: each of the 4 idle
  // connections reports its end instead, and is discarded
  await eventually(() => errors.length === 4);
  expect(errors[0]!.message).toMatch(/terminat/i);
  expect(await sql.query('SELECT 41 + 1 AS answer')).toEqual([{ answer: 42 }]);
  await sql.close();
  await db.close();
});

test('a transaction whose connection breaks fails; its connection is destroyed, the next transaction works', async () => {
  const db = await freshDatabase();
  const sql = openPostgres(db.url, 1, () => undefined);
  await sql.exec('CREATE TABLE t (v int)');
  await expect(
    sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      await db.terminate();
      await tx.query('INSERT INTO t VALUES (2)');
    }),
  ).rejects.toThrow();
  // one connection in the pool: had the broken one gone back, this would fail
  await sql.transaction((tx) => tx.query('INSERT INTO t VALUES (3)'));
  expect(await sql.query('SELECT v FROM t ORDER BY v')).toEqual([{ v: 3 }]);
  await sql.close();
  await db.close();
});
