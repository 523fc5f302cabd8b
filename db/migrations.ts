import fs from 'node:fs';
import path from 'node:path';
import type { Sql } from './sql';

/**
 * The project's one schema, as numbered SQL files in db/migrations/ (`NNN-name.sql`, the first line a
 * comment naming it), applied in order at start-up. Append a file; never edit one that has shipped.
 * The shape they add up to is db/schema.sql (`npm run schema:snapshot`), checked by the suite.
 */
export const migrationsDir = path.join(__dirname, 'migrations');

export interface Migration {
  version: number;
  name: string;
  script: string;
}

export function readMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}-.+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const script = fs.readFileSync(path.join(dir, file), 'utf8');
      const name = /^--\s*(.+)$/m.exec(script)?.[1]?.trim() ?? file;
      return { version: Number(file.slice(0, 3)), name, script };
    });
}

export async function migrate(sql: Sql): Promise<number[]> {
  const migrations = readMigrations();
  return sql.transaction(async (tx) => {
    // several processes may start at once against one PostgreSQL: one migrates, the others wait — as
    // long as it takes, whatever the pool's deadline of a lock (a migration may hold its locks a while)
    await tx.query("SET LOCAL lock_timeout = '0'");
    await tx.query('SELECT pg_advisory_xact_lock(7270347)');
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const m of pending) {
      await tx.exec(m.script);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return pending.map((m) => m.version);
  });
}
