/**
 * Polls `check` until it passes — returns without throwing, and returns something other than
 * `undefined` or `false` — within a budget of real time; then answers what it returned. Past the
 * budget, the last failure is thrown. The one way the suite, the drill and the topology wait for
 * something asynchronous: no fixed sleeps, and a budget generous enough for a machine busy with other work.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  {
    budgetMs = 60_000,
    everyMs = 50,
    what = 'the condition',
  }: { budgetMs?: number; everyMs?: number; what?: string } = {},
): Promise<Exclude<T, undefined | false>> {
  const until = Date.now() + budgetMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
      last = new Error(`${what} did not hold within ${budgetMs / 1000} s`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
