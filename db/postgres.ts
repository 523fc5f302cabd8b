import pg from 'pg';
import type { Sql, Tx } from './sql';

// int8 columns hold cents; below 2^53 they are exact as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type Queryable = Pick<pg.PoolClient, 'query'>;

function bind(client: Queryable): Pick<Sql, 'query' | 'exec'> {
  return {
    query: async <T extends object>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
    exec: async (script: string) => void (await client.query(script)),
  };
}

/**
 * The deadlines of every call to the database: a connection, a statement, and a lock waited for —
 * nothing of the engine holds a lock for seconds, so a lock waited for longer is a table locked by
 * someone else (a maintenance, a stuck session): the call fails, and its caller answers 503 or retries,
 * rather than hold one of the pool's connections until the pool is exhausted.
 */
export const DATABASE_DEADLINES = { connectMs: 5_000, statementMs: 30_000, lockMs: 5_000 };

/** Errors of the connection rather than of the statement: the database restarted, failed over, dropped us. */
const CONNECTION_ERRORS = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    CONNECTION_ERRORS.has(e.code ?? '') ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e.message ?? '')
  );
}

/**
 * The database is busy rather than the statement wrong: a lock or a statement past its deadline, too
 * many connections, a serialization failure or a deadlock (each resolves if the call is made again).
 */
const BUSY_ERRORS = new Set(['55P03', '57014', '53000', '53100', '53200', '53300', '40001', '40P01']);

/** A failure that passes: the connection lost or not obtained within its deadline, the database busy. */
export function isTransientDatabaseError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    isConnectionError(err) ||
    BUSY_ERRORS.has(e.code ?? '') ||
    // pg's pool, every connection taken until the deadline; pg's own deadline of a query
    /timeout exceeded when trying to connect|Query read timeout/i.test(e.message ?? '')
  );
}

/**
 * A PostgreSQL pool that outlives the database's faults: an idle connection the server drops
 * (restart, failover, pg_terminate_backend, a proxy's timeout) is discarded and reported to `onError`
 * instead of killing the process; a transaction whose connection broke gives that connection back
 * destroyed, never to the next caller; every connection and statement has a deadline.
 */
export function openPostgres(url: string, maxConnections = 10, onError: (err: Error) => void = () => undefined): Sql {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: DATABASE_DEADLINES.connectMs,
    query_timeout: DATABASE_DEADLINES.statementMs + 1_000,
    statement_timeout: DATABASE_DEADLINES.statementMs,
    lock_timeout: DATABASE_DEADLINES.lockMs,
  });
  pool.on('error', onError);
  return {
    backend: 'postgres',
    ...bind(pool),
    async transaction(fn) {
      let broken: Error | undefined;
      const client = await pool.connect();
      // a connection dropped while checked out errors on the client, not the pool: reported, and destroyed below
      const onClientError = (err: Error) => {
        broken = err;
        onError(err);
      };
      client.on('error', onClientError);
      const last: (() => Promise<void>)[] = [];
      const tx: Tx = {
        backend: 'postgres',
        ...bind(client),
        transaction: (inner) => inner(tx),
        beforeCommit: (work) => void last.push(work),
        close: async () => undefined,
      };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        for (const work of last) await work();
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (isConnectionError(err)) broken = err as Error;
        else await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw err;
      } finally {
        // a connection that failed is destroyed, not returned to the pool
        client.off('error', onClientError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
