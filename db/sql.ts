/**
 * The one database interface the project uses, so that the same SQL runs on PostgreSQL (production,
 * docker-compose, CI) and on PGlite (the embedded default of `npm start` and `npm test`).
 */
export interface Sql {
  query<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Runs fn in one transaction; a thrown error rolls it back. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly backend: 'postgres' | 'pglite';
}
