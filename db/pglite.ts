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

/** PGlite: PostgreSQL compiled to WASM, in-process; dataDir on disk, or in memory when absent. */
export async function openPglite(dataDir?: string): Promise<Sql> {
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  return {
    backend: 'pglite',
    ...bind(db),
    transaction: (fn) =>
      db.transaction(async (t) => {
        const tx: Sql = { backend: 'pglite', ...bind(t), transaction: (inner) => inner(tx), close: async () => undefined };
        return fn(tx);
      }),
    close: () => db.close(),
  };
}
