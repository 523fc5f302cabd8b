/**
 * The one database interface the project uses, so that the same SQL runs on PostgreSQL (production,
 * docker-compose, CI) and on PGlite (the embedded default of `npm start` and `npm test`).
 */
export interface Sql {
  query<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements, without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Runs fn in one transaction; a thrown error rolls it back. Inside a transaction, joins it. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly backend: 'postgres' | 'pglite';
}

/**
 * A transaction's handle. `beforeCommit` runs work as the transaction's last statements, in the order
 * it was given, once whatever nests: the journal's entries are written there (db/journal.ts), so that
 * its one serial point is held only from then to the commit.
 */
export interface Tx extends Sql {
  beforeCommit(work: () => Promise<void>): void;
}

/** A LIKE pattern matching any text that contains `part` as typed (its %, _ and \\ are not wildcards). */
export const containing = (part: string) => `%${part.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
