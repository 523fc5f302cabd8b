import fs from 'node:fs';
import { PGlite, types, type Extension, type Transaction } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import type { Sql, Tx } from './sql';

// the contrib modules are exported as `@electric-sql/pglite/contrib/*`, a subpath TypeScript's `node`
// resolution cannot read: required by that name, typed by the file it maps to
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

type Queryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

const parsers = { [types.INT8]: (v: string) => Number(v) };

function bind(db: Queryable): Pick<Sql, 'query' | 'exec'> {
  return {
    query: async <T extends object>(text: string, params?: unknown[]) =>
      (await db.query<T>(text, params, { parsers })).rows,
    exec: async (script: string) => void (await db.exec(script)),
  };
}

export class DatabaseBusyError extends Error {}

/** A lock not refreshed for this long is its dead owner's: taken over. */
const STALE_MS = 10_000;

/**
 * PGlite runs inside one process: two processes opening the same files would corrupt them. The owner
 * holds a lock (proper-lockfile: an atomic mkdir, refreshed every few seconds); another process is
 * refused while it is fresh. An owner killed outright leaves a lock that goes stale and is taken over
 * — whatever became of its pid (a pid reused by another program never holds a lock).
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: `${dataDir}.lock`,
      stale: STALE_MS,
      update: STALE_MS / 2,
      // a restart after a kill waits for the dead owner's lock to go stale
      retries: { retries: 12, factor: 1, minTimeout: 1_000, maxTimeout: 1_000 },
      onCompromised: (err) => {
        throw err;
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    throw new DatabaseBusyError(
      `the embedded ledger ${dataDir} is in use by another process (npm start); stop it, or use PostgreSQL through DATABASE_URL`,
    );
  }
}

/** PGlite: PostgreSQL compiled to WASM, in-process; dataDir on disk (locked), or in memory when absent. */
export async function openPglite(dataDir?: string): Promise<Sql> {
  const unlock = dataDir ? await lockDataDir(dataDir) : async () => undefined;
  // pg_trgm: the BDC list's contains-search on references uses its index (db/migrations/017)
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { pg_trgm } });
  return {
    backend: 'pglite',
    ...bind(db),
    transaction: (fn) =>
      db.transaction(async (t) => {
        const last: (() => Promise<void>)[] = [];
        const tx: Tx = {
          backend: 'pglite',
          ...bind(t),
          transaction: (inner) => inner(tx),
          beforeCommit: (work) => void last.push(work),
          close: async () => undefined,
        };
        const result = await fn(tx);
        for (const work of last) await work();
        return result;
      }),
    async close() {
      await db.close();
      await unlock();
    },
  };
}
