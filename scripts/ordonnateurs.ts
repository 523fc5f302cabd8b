import { createHash } from 'node:crypto';

/**
 * Ordonnateurs on duty over the HTTP API, for the drill, the benchmarks, the demo and the tests that
 * drive a whole engine: every money proposal validated soon after it is made — by one person, or by
 * the second when its amount needs two — through the very route an ordonnateur's console uses.
 * Two tokens: two persons (four eyes).
 */
export function ordonnateursOverApi(
  apiUrl: string,
  tokens: [string, string],
  { everyMs = 200 }: { everyMs?: number } = {},
): { stop(): Promise<void>; validated(): number } {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  let count = 0;
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const tick = async () => {
    const listed = await call(tokens[0], 'GET', '/proposals?state=proposed&limit=500');
    if (listed.status !== 200) return;
    type Listed = { process: string; processId: string; id: string; validations: { by: { id: string } }[] };
    await Promise.all(
      (listed.body.proposals as Listed[]).map(async (p) => {
        // the first validation by the first ordonnateur, a second (when needed) by the other
        const token = p.validations.length ? tokens[1] : tokens[0];
        const path = `/proposals/${p.process}/${encodeURIComponent(p.processId)}/${encodeURIComponent(p.id)}/validation`;
        // one event id per proposal and validation, the same at every round (a repeat is that validation again)
        const eventId = `duty-${createHash('sha256').update(`${p.processId}/${p.id}/${p.validations.length}`).digest('hex').slice(0, 32)}`;
        const answer = await call(token, 'POST', path, { eventId }).catch(() => undefined);
        if (answer?.status === 200) count++;
      }),
    );
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
    },
  };
}
