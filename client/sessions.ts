import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession, SessionEnd, SessionSubject } from '../db/console-sessions';
import { nowOf, type EngineContext } from './context';

export type { ConsoleSession, SessionSubject } from '../db/console-sessions';

/** How long a console session lasts without signing in again. */
export const SESSION_HOURS = 8;

const keyOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * Opens a session for a subject: answers its id, the only thing the cookie carries. It lasts
 * SESSION_HOURS, or less when the credential it was opened with expires sooner.
 */
export async function openSession(ctx: EngineContext, subject: SessionSubject, credentialExpiresAt?: string) {
  const id = randomBytes(32).toString('base64url');
  const hours = (await nowOf(ctx)) + SESSION_HOURS * 3_600_000;
  const expiresAt = new Date(Math.min(hours, credentialExpiresAt ? Date.parse(credentialExpiresAt) : hours));
  await ctx.sessions.open(keyOf(id), subject, expiresAt);
  return id;
}

/** The session of an id, while it is neither ended nor expired. */
export const currentSession = (ctx: EngineContext, id: string): Promise<ConsoleSession | undefined> =>
  ctx.sessions.current(keyOf(id));

/** Ends a session (signed out, or its credential no longer accepted): its cookie, copied or not, opens nothing. */
export const endSession = (ctx: EngineContext, id: string, reason: SessionEnd) => ctx.sessions.end(keyOf(id), reason);
