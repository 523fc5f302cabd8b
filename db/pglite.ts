import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { Sql } from './sql';

type Queryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

const parsers = { [types.INT8]: (v: string) => Number(v) };

function bind(db: Queryable): Pick<Sql, 'query' | 'exec'> {
  return {
    query: async <T extends object>(text: string, params?: unknown[]) => (await db.query<T>(text, params, { parsers })).rows,
    exec: async (script: string) => void (await db.exec(script)),
  };
}

export class DatabaseBusyError extends Error {}

/**
 * PGlite runs inside one process: two processes opening the same files would corrupt them. The
 * owner writes its pid next to the data; another process is refused while that pid is alive.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`);
  const holder = fs.existsSync(lock) ? Number(fs.readFileSync(lock, 'utf8')) : undefined;
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new DatabaseBusyError(`the embedded ledger ${dataDir} is in use by process ${holder} (npm start); stop it, or use PostgreSQL through DATABASE_URL`);
  }
  fs.writeFileSync(lock, String(process.pid));
  return () => fs.rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PGlite: PostgreSQL compiled to WASM, in-process; dataDir on disk (locked), or in memory when absent. */
export async function openPglite(dataDir?: string): Promise<Sql> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  return {
    backend: 'pglite',
    ...bind(db),
    transaction: (fn) =>
      db.transaction(async (t) => {
        const tx: Sql = { backend: 'pglite', ...bind(t), transaction: (inner) => inner(tx), close: async () => undefined };
        return fn(tx);
      }),
    async close() {
      await db.close();
      unlock();
    },
  };
}
