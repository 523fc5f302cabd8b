import fs from 'node:fs';
import path from 'node:path';
import { migrate, readMigrations } from '../../db/migrations';
import { openPglite } from '../../db/pglite';
import { schemaSnapshot } from '../../db/schema-snapshot';

// db/schema.sql is the shape the migrations add up to; `npm run schema:snapshot` writes it again.
const file = path.resolve(__dirname, '..', '..', 'db', 'schema.sql');

test('the migrations are numbered in order, each number once, each named', () => {
  // a number may be missing for a while: work in flight on two branches takes two numbers, and the one
  // that merges second may hold the higher (each migration is applied once, whatever the order it comes in)
  const versions = readMigrations().map((m) => m.version);
  expect(versions[0]).toBe(1);
  expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!)).toBe(true);
  for (const m of readMigrations()) expect(m.name).not.toMatch(/\.sql$/);
});

test('db/schema.sql is the schema a fresh database has once migrated', async () => {
  const sql = await openPglite();
  try {
    expect(await migrate(sql)).toEqual(readMigrations().map((m) => m.version));
    const fresh = await schemaSnapshot(sql);
    if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1') fs.writeFileSync(file, fresh);
    expect(fs.readFileSync(file, 'utf8')).toBe(fresh);
  } finally {
    await sql.close();
  }
});
