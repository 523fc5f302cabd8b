import path from 'node:path';
import type { Config } from '../config/env';
import { migrate } from './migrations';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { Sql } from './sql';

/** PostgreSQL when DATABASE_URL is set, else the embedded PGlite database under DATA_DIR; migrated. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_SIZE'>,
  onError?: (err: Error) => void,
): Promise<Sql> {
  const sql = config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE, onError)
    : await openPglite(path.join(config.DATA_DIR, 'ledger'));
  await migrate(sql);
  return sql;
}
