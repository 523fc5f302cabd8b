import pg from 'pg';
import type { Sql } from './sql';

// int8 columns hold cents; below 2^53 they are exact as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type Queryable = Pick<pg.PoolClient, 'query'>;

function bind(client: Queryable): Pick<Sql, 'query' | 'exec'> {
  return {
    query: async <T extends object>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
    exec: async (script: string) => void (await client.query(script)),
  };
}

export function openPostgres(url: string, maxConnections = 10): Sql {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  return {
    backend: 'postgres',
    ...bind(pool),
    async transaction(fn) {
      const client = await pool.connect();
      const tx: Sql = { backend: 'postgres', ...bind(client), transaction: (inner) => inner(tx), close: async () => undefined };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
