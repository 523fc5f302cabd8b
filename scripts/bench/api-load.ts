import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { buildApi } from '../../api/server';
import { newToken, TokenRegistry } from '../../api/auth';
import { ApiClient } from '../../cli/api-client';
import { importBdcs } from '../../cli/bdc-import';
import { importCells, importColumns } from '../../domain/bdc-import';
import type { EngineContext } from '../../client/context';
import { createLogger } from '../../config/logger';
import { ordonnateursOverApi } from '../ordonnateurs';
import { vaRequestBody } from '../samples/bdc';
import type { benchDatabase } from './lean';
import { percentiles, round, timed } from './measure';

/**
 * The API under load, against the engine's worker: registrations at 20 concurrent callers, VA
 * submissions at 1 and at 50, and a bulk import of 1,000 rows (what `sons import` does).
 */
export async function apiFigures(
  ctx: EngineContext,
  db: Awaited<ReturnType<typeof benchDatabase>>,
  { registrations = 500, vas = 500, importRows = 1_000 } = {},
) {
  const operator = newToken({ name: 'bench-operator', role: 'operator' });
  const editeur = newToken({ name: 'bench-editeur', role: 'editeur', editeurId: 'editeur-acme' });
  const ordonnateurs = [1, 2].map((n) => newToken({ name: `bench-ordonnateur-${n}`, role: 'ordonnateur' }));
  const app = await buildApi({
    engine: ctx,
    tokens: new TokenRegistry([operator.entry, editeur.entry, ...ordonnateurs.map((o) => o.entry)]),
    logger: createLogger('error'),
    // the engine's throughput is measured, not the throttle of a token's writes
    limits: { writesPerMinute: Number.MAX_SAFE_INTEGER },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  // the advances and balances validated over the API, as in the scale bench
  const onDuty = ordonnateursOverApi(url, [ordonnateurs[0]!.secret, ordonnateurs[1]!.secret]);
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const orders = await Promise.all(Array.from({ length: registrations + 2 * vas }, () => db.order()));
    const register = (request: (typeof orders)[number]) =>
      call(operator.secret, 'POST', '/bdcs', { ...request, eventId: randomUUID() }).then((b) => ({
        bdcId: b.bdcId as string,
        request,
      }));

    const limit20 = pLimit(20);
    const [, registrationMs] = await timed(() =>
      Promise.all(orders.slice(0, registrations).map((r) => limit20(() => register(r)))),
    );
    const forVa = await Promise.all(orders.slice(registrations).map((r) => limit20(() => register(r))));
    for (const b of forVa)
      while ((await ctx.records.get(b.bdcId))?.status !== 'awaiting_va') await new Promise((r) => setTimeout(r, 100));

    const submit = async ({ bdcId, request }: (typeof forVa)[number]) => {
      const [, ms] = await timed(() =>
        call(
          editeur.secret,
          'POST',
          `/bdcs/${encodeURIComponent(bdcId)}/va`,
          vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
        ),
      );
      return ms;
    };
    const sequential: number[] = [];
    for (const b of forVa.slice(0, vas)) sequential.push(await submit(b));
    const limit50 = pLimit(50);
    const concurrent = await Promise.all(forVa.slice(vas).map((b) => limit50(() => submit(b))));

    const rows = await Promise.all(Array.from({ length: importRows }, () => db.order()));
    const [imported, importMs] = await timed(() =>
      importBdcs(new ApiClient(url, operator.secret), [[...importColumns], ...rows.map((r) => importCells(r))]),
    );
    if (imported.registered !== importRows)
      throw new Error(`the import registered ${imported.registered} of ${importRows}`);
    return {
      registration: { concurrent: 20, bdcs: registrations, perSecond: round(registrations / (registrationMs / 1000)) },
      vaSubmission: {
        oneCaller: { calls: vas, ...percentiles(sequential) },
        fiftyCallers: { calls: vas, ...percentiles(concurrent) },
      },
      bulkImport: {
        rows: importRows,
        seconds: round(importMs / 1000, 1),
        rowsPerSecond: round(importRows / (importMs / 1000)),
      },
    };
  } finally {
    await onDuty.stop();
    await app.close();
  }
}
