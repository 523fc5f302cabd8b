import type { Sql } from './sql';

/** API tokens revoked, by the SHA-256 of their secret: read at every request, so a revocation takes effect at once. */
export class TokenRevocations {
  constructor(readonly sql: Sql) {}

  /** Records the revocation of a token's secrets (a repeated revocation keeps the first). */
  async revoke(entries: { sha256: string; name: string }[], by: string, reason: string): Promise<void> {
    for (const e of entries)
      await this.sql.query(
        `INSERT INTO api_token_revocations (token_sha256, name, revoked_by, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (token_sha256) DO NOTHING`,
        [e.sha256, e.name, by, reason],
      );
  }

  async isRevoked(sha256: string): Promise<boolean> {
    return (await this.sql.query('SELECT 1 FROM api_token_revocations WHERE token_sha256 = $1', [sha256])).length > 0;
  }
}
