import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest, vaRequestBody } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// A drill in the suite (issue 10): 200 BDCs, each sent its VA and a cancellation at the same time
// through the API. Whatever the order, one of the two is accepted, never both; no BDC is paid its
// balance after an accepted cancellation; the ledger's cents say so.
const h = harnessPerFile({ server: 'dev', api: true });
const PAIRS = 200;

/**
 * A request sent as the API asks: a 503 (Temporal or the worker too busy to answer within the request's
 * deadline — a machine running the whole suite) is sent again, the same, with the same event id.
 */
const answered = (...[method, path, options]: Parameters<typeof h.api.call>) =>
  eventually(
    async () => {
      const r = await h.api.call(method, path, options);
      return r.status !== 503 && r;
    },
    { budgetMs: 120_000, everyMs: 1_000, what: `an answer to ${path}` },
  );

test(`${PAIRS} VA/cancellation pairs sent concurrently: 0 BDCs paid after an accepted cancellation`, async () => {
  const limit = pLimit(20);
  const registered = await Promise.all(
    Array.from({ length: PAIRS }, () =>
      limit(async () => {
        const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
        await h.seed(request, 3);
        await h.grant(request.solutionId, request.editeurId);
        const { status, body } = await h.api.call('POST', '/bdcs', {
          token: h.api.tokens.operator,
          body: { ...request, eventId: randomUUID() },
        });
        expect(status).toBe(201);
        await h.waitForStatus(body.bdcId, 'awaiting_va');
        return { bdcId: body.bdcId as string, request };
      }),
    ),
  );

  const outcomes = await Promise.all(
    registered.map(({ bdcId, request }) =>
      limit(async () => {
        const [va, cancellation] = await Promise.all([
          answered('POST', `/bdcs/${encodeURIComponent(bdcId)}/va`, {
            token: h.api.tokens.acme,
            body: vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
          }),
          answered('POST', `/bdcs/${encodeURIComponent(bdcId)}/cancellation`, {
            token: h.api.tokens.operator,
            body: { eventId: randomUUID(), reason: 'drill' },
          }),
        ]);
        return {
          bdcId,
          va: va.status,
          cancellation: cancellation.status,
          codes: [va, cancellation].flatMap((r) => (r.status === 200 ? [] : [r.body.refusals[0].code])),
        };
      }),
    ),
  );

  let paidAfterCancellation = 0;
  for (const o of outcomes) {
    // exactly one accepted, the other refused for it
    expect([o.va, o.cancellation].sort()).toEqual([200, 422]);
    expect(o.codes).toEqual([o.va === 200 ? 'va_accepted' : 'cancellation_pending']);
    const money = await eventually(async () => {
      const m = await h.money(o.bdcId);
      return (o.va === 200 ? m.orders.length === 2 : m.demands.length === 1) && m;
    });
    if (o.cancellation === 200 && money.orders.some(([kind]) => kind === 'balance')) paidAfterCancellation++;
    expect(money).toEqual(
      o.va === 200
        ? {
            orders: [
              ['advance', 175_200],
              ['balance', 408_800],
            ],
            demands: [],
            receipts: [],
          }
        : { orders: [['advance', 175_200]], demands: [175_200], receipts: [] },
    );
  }
  expect(paidAfterCancellation).toBe(0);
  process.stdout.write(
    `[drill] ${PAIRS} pairs: ${outcomes.filter((o) => o.va === 200).length} VAs accepted, ${outcomes.filter((o) => o.cancellation === 200).length} cancellations accepted, ${paidAfterCancellation} paid after a cancellation\n`,
  );
}, 900_000);
