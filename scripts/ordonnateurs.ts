import { createHash } from 'node:crypto';
import pLimit from 'p-limit';

/**
 * Ordonnateurs on duty over the HTTP API, for the drill, the benchmarks, the demo and the tests that
 * drive a whole engine: every money proposal validated soon after it is made — by one person, or by
 * the second when its amount needs two — through the very route an ordonnateur's console uses.
 * Two tokens: two persons (four eyes).
 */
export function ordonnateursOverApi(
  apiUrl: string,
  tokens: [string, string],
  { everyMs = 200, concurrency = 8 }: { everyMs?: number; concurrency?: number } = {},
): { stop(): Promise<void>; validated(): number } {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  let count = 0;
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(120_000),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  };
  // each proposal's validation sent once at a time, a few at once: the engine answers each within its
  // own pace; sending every listed proposal again at every round while the first sends were still being
  // recorded (and giving up on them after 15 s) piled duplicates onto the engine until it answered
  // nothing (a 20,000-BDC bench: /health 20 s, 0.3 validations a second)
  const inFlight = new Set<string>();
  const limit = pLimit(concurrency);
  const tick = async () => {
    // listed only when there is room to send more, a few at a time: listing 500 proposals every 200 ms
    // took half of a 10,000-BDC engine's time
    if (inFlight.size >= 2 * concurrency) return;
    const listed = await call(tokens[0], 'GET', `/proposals?state=proposed&limit=${4 * concurrency}`);
    if (listed.status !== 200) return;
    type Listed = { process: string; processId: string; id: string; validations: { by: { id: string } }[] };
    for (const p of listed.body.proposals as Listed[]) {
      // the first validation by the first ordonnateur, a second (when needed) by the other
      const step = `${p.processId}/${p.id}/${p.validations.length}`;
      if (inFlight.has(step)) continue;
      inFlight.add(step);
      const token = p.validations.length ? tokens[1] : tokens[0];
      const path = `/proposals/${p.process}/${encodeURIComponent(p.processId)}/${encodeURIComponent(p.id)}/validation`;
      // one event id per proposal and validation, the same at every round (a repeat is that validation again)
      const eventId = `duty-${createHash('sha256').update(step).digest('hex').slice(0, 32)}`;
      void limit(() => call(token, 'POST', path, { eventId }))
        .then((answer) => {
          if (answer.status === 200) count++;
        })
        .catch(() => undefined)
        .finally(() => inFlight.delete(step));
    }
  };
  const timer = setInterval(() => {
    if (!stopped) round = round.then(tick).catch(() => undefined);
  }, everyMs);
  return {
    validated: () => count,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
      // the validations queued are dropped; those being sent are answered first
      limit.clearQueue();
      while (limit.activeCount > 0) await new Promise((r) => setTimeout(r, 50));
    },
  };
}
