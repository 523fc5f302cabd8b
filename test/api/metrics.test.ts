import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

// Issue 14: Prometheus text for the admins' scraper — requests, latency, and the business from the
// engine's record and ledger.
const h = harnessPerFile({ server: 'dev', api: true });

const scrape = async () => {
  const response = await fetch(`${h.api.url}/metrics`, { headers: { authorization: `Bearer ${h.api.tokens.admin}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};
const sample = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('admins read the metrics; every other role and no token are refused', async () => {
  expect((await scrape()).status).toBe(200);
  for (const token of [h.api.tokens.operator, h.api.tokens.acme])
    expect((await h.api.call('GET', '/metrics', { token })).status).toBe(403);
  expect((await h.api.call('GET', '/metrics')).status).toBe(401);
});

test('the ledger in cents and the BDCs per status, as the record holds them; requests per route', async () => {
  // 2 ESSMS of an OG of 3 (tranche B, 2 920 € each): advance 1 752 €, then the balance of 4 088 €
  const { bdcId, request } = await h.register({ ogEssmsCount: 3 });
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, new Date(await h.now()).toISOString(), 600_000));
  await h.result(bdcId);
  expect((await h.api.call('GET', `/bdcs/${encodeURIComponent(bdcId)}`, { token: h.api.tokens.operator })).status).toBe(
    200,
  );

  const { text, type } = await scrape();
  expect(type).toMatch(/^text\/plain/);
  expect(sample(text, 'sons_ledger_cents{kind="order_advance"}')).toBe(175_200);
  expect(sample(text, 'sons_ledger_cents{kind="order_balance"}')).toBe(408_800);
  expect(sample(text, 'sons_ledger_entries{kind="order_advance"}')).toBe(1);
  expect(sample(text, 'sons_bdcs{campaign="test-ms1",status="completed"}')).toBe(1);
  expect(sample(text, 'sons_api_requests_total{method="GET",route="/bdcs/:bdcId",status="200"}')).toBe(1);
  expect(text).toMatch(
    /^sons_api_request_duration_seconds_bucket\{le="0\.01",method="GET",route="\/bdcs\/:bdcId"\} \d+$/m,
  );
  expect(text).toMatch(/^sons_api_process_resident_memory_bytes \d+/m);
});
