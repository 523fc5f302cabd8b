import { RefusedError } from '../domain/refusal';
import { Unavailable } from './unavailable';

/** How long a caller waits for a workflow to catch up with its record before being told to come back. */
const CATCH_UP_MS = 20_000;

/**
 * Sends an event, again while its workflow judges it from a state the record has already left: a
 * commit is written (the record, and every screen, shows it) but the workflow has not heard back from
 * its activity yet — a worker restarting, a busy server. Such a "wrong state" is not the process's
 * answer, only its lag: the event is sent again once the workflow caught up (a refused update leaves
 * nothing in the history, so its id is free), and after `budgetMs` the caller is told to come back
 * (503) — never refused for a state no screen shows any longer.
 */
export async function sentOnceCaughtUp<T>(
  send: () => Promise<T>,
  recordedStatus: () => Promise<string | undefined>,
  budgetMs = CATCH_UP_MS,
): Promise<T> {
  const started = Date.now();
  for (let waitMs = 50; ; waitMs = Math.min(waitMs * 2, 1_000)) {
    try {
      return await send();
    } catch (err) {
      const judged =
        err instanceof RefusedError
          ? err.refusals.find((r) => r.code === 'wrong_state' && r.path === 'status')
          : undefined;
      if (!judged || (await recordedStatus()) === judged.value) throw err;
      if (Date.now() - started > budgetMs) throw new Unavailable('worker', err);
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
