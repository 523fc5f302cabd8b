import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { isTransientDatabaseError } from '../db/postgres';
import type { EngineContext } from './context';

/** What a request may find away or busy: Temporal, the database, or the workers that record events. */
export type Dependency = 'temporal' | 'database' | 'worker';

/** A request could not be served because a dependency is away or busy: a 503 naming it, to be sent again. */
export class Unavailable extends Error {
  constructor(
    readonly dependency: Dependency,
    override readonly cause?: unknown,
  ) {
    super(`${dependency} unavailable: ${(cause as Error | undefined)?.message ?? ''}`);
    this.name = 'Unavailable';
  }
}

/** gRPC: UNAVAILABLE, DEADLINE_EXCEEDED; a connection refused or reset on the way to Temporal. */
const GRPC_UNAVAILABLE = new Set([14, 4]);

/** Which dependency an error says is unavailable, if it says so (its causes are read too). */
export function unavailableDependency(error: unknown): Dependency | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown; name?: string; message?: string } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    if (e instanceof Unavailable) return e.dependency;
    if ((e.name === 'ServiceError' || e.name === 'GrpcError') && GRPC_UNAVAILABLE.has(e.code as number))
      return 'temporal';
    if (
      typeof e.code === 'number' &&
      GRPC_UNAVAILABLE.has(e.code) &&
      /UNAVAILABLE|DEADLINE_EXCEEDED|Deadline/i.test(e.message ?? '')
    )
      return 'temporal';
    if (isTransientDatabaseError(e) || (/database|pglite/i.test(e.name ?? '') && /closed/i.test(e.message ?? '')))
      return 'database';
  }
  return undefined;
}

/**
 * Whether a call went unanswered — Temporal's client gave up on an update (its deadline passed, or it
 * was cancelled: the event may still be recorded) or a dependency is away — so that sending the same
 * event again is the answer.
 */
export const unanswered = (error: unknown): boolean =>
  error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || unavailableDependency(error) !== undefined;

/** How long each look at a dependency may take when an update went unanswered. */
const PROBE_MS = 1_000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A session of the database waits for a lock, or another holds a table exclusively — or the database
 * does not answer at once: what keeps the workers from recording an event.
 */
async function databaseBlocked(ctx: EngineContext): Promise<boolean> {
  try {
    const [row] = await within(
      PROBE_MS,
      ctx.sql.query<{ blocked: boolean }>(
        `SELECT EXISTS (
           SELECT 1 FROM pg_locks l
           WHERE l.pid <> pg_backend_pid()
             AND (l.database IS NULL OR l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
             AND (NOT l.granted OR (l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'))
         ) AS blocked`,
      ),
    );
    return row?.blocked === true;
  } catch {
    return true;
  }
}

async function temporalAway(ctx: EngineContext): Promise<boolean> {
  try {
    // a deadline of its own: the request's has passed
    await ctx.client.connection.withDeadline(Date.now() + PROBE_MS, () => ctx.client.workflowService.getSystemInfo({}));
    return false;
  } catch {
    return true;
  }
}

/**
 * An update the request stopped waiting for at its deadline (Temporal's client gave up): the event
 * may still be recorded, and is sent again with its event id. Said as what held it: the database
 * (locked, or not answering), else Temporal (not answering), else the workers (busy or away). Any
 * other error is answered as it is.
 */
export async function explainUnanswered(ctx: EngineContext, error: unknown): Promise<unknown> {
  if (!(error instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) return error;
  const [database, temporal] = await Promise.all([databaseBlocked(ctx), temporalAway(ctx)]);
  return new Unavailable(database ? 'database' : temporal ? 'temporal' : 'worker', error);
}
