import { ConsoleSessions } from '../db/console-sessions';
import { TokenRevocations } from '../db/token-revocations';
import type { EngineContext } from './context';

/** Whether a token (by its secret's SHA-256) was revoked: asked at each request, in every API process. */
export const tokenRevoked = (ctx: EngineContext) => (sha256: string) => ctx.tokenRevocations.isRevoked(sha256);

/**
 * Revokes a token's secrets: from the next request on, in every API process, they are refused, and
 * the console sessions they opened are over. Answers how many sessions ended.
 */
export async function revokeToken(
  ctx: EngineContext,
  secrets: { sha256: string; name: string }[],
  revokedBy: string,
  reason: string,
): Promise<{ sessionsEnded: number }> {
  return ctx.sql.transaction(async (tx) => {
    await new TokenRevocations(tx).revoke(secrets, revokedBy, reason);
    const sessionsEnded = await new ConsoleSessions(tx).endOfCredentials(
      secrets.map((s) => s.sha256),
      'credential_revoked',
    );
    return { sessionsEnded };
  });
}
