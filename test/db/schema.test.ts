import fs from 'node:fs';
import path from 'node:path';
import { migrate, readMigrations } from '../../db/migrations';
import { openPglite } from '../../db/pglite';
import { schemaSnapshot } from '../../db/schema-snapshot';

// db/schema.sql is the shape the migrations add up to; `npm run schema:snapshot` writes it again.
const file = path.resolve(__dirname, '..', '..', 'db', 'schema.sql');

test('the migrations are numbered one after the other, each named', () => {
  const migrations = readMigrations();
  expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  for (const m of migrations) expect(m.name).not.toMatch(/\.sql$/);
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
