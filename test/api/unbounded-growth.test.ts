import { randomUUID } from 'node:crypto';
import { freshFiness, vaRequestBody } from '../support/bdc-fixtures';
import { harnessPerFile, iso } from '../support/harness';

// Issue 19: a signed-in caller cannot grow a BDC's read without bound. Measured on main: 20 refused VAs
// with a 120 KB invoice number made GET /bdcs/{id} 2.4 MB. Now the edge refuses what no field needs,
// a refusal is kept with its values cut, and the read carries the latest refused events and their
// count (the rest paged), so a BDC reads under 64 KB whatever was sent.
const h = harnessPerFile({ api: true });
const KB = 1024;

type Refused = {
  at: string;
  kind: string;
  eventId?: string;
  refusals: { code: string; value?: unknown; path: string; message: string }[];
};

async function awaitingVa() {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  return { bdcId, request, path: `/bdcs/${encodeURIComponent(bdcId)}` };
}
const read = async (path: string) => {
  const r = await fetch(`${h.api.url}${path}`, { headers: { authorization: `Bearer ${h.api.tokens.acme}` } });
  const text = await r.text();
  return { status: r.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
};

test('20 VAs refused for every reason the API lets through: the BDC reads under 64 KB, the rest is paged', async () => {
  const { request, path } = await awaitingVa();
  const signedAt = iso((await h.now()) - 60_000);
  for (let i = 0; i < 20; i++) {
    const va = vaRequestBody(request, signedAt, 584_000);
    // as large as the edge allows: 400 ESSMS that are not the BDC's, each with indicators of long
    // names, and an invoice number of 200 characters — hundreds of reasons, each naming what was sent
    va.va.essms = Array.from({ length: 400 }, () => ({
      finess: freshFiness(),
      duiDeployed: false,
      tbb1: { [`TBB.${'9'.repeat(60)}`]: 0, [`${'\u0001'.repeat(20)}`]: -1 },
      esmsNumerique: { activeRecordsRate: 101, activeRecordsWithProjectRate: -1, activeRecordsWithEventRate: 50 },
    }));
    va.invoice.number = `F-${'9'.repeat(198)}`;
    const sent = await h.api.call('POST', `${path}/va`, { token: h.api.tokens.acme, body: va });
    expect(sent.status).toBe(422);
    // the answer lists every reason, each value cut: the invoice number's among them
    const invoice = (sent.body.refusals as Refused['refusals']).find((r) => r.path === 'invoice.number');
    expect(invoice).toMatchObject({ code: 'too_big', value: expect.stringMatching(/^F-9{98}…$/) });
  }
  const bdc = await read(path);
  expect(bdc.status).toBe(200);
  expect(bdc.bytes).toBeLessThan(64 * KB);
  expect(bdc.body.refusedCount).toBe(20);
  const latest = bdc.body.refused as Refused[];
  expect(latest.length).toBeGreaterThan(0);
  expect(latest.length).toBeLessThan(20);
  // every code is kept as it was; values and paths are cut with an ellipsis; the reasons left out are counted
  for (const event of latest) {
    const codes = event.refusals.map((r) => r.code);
    expect(codes).toContain('va_foreign_essms');
    expect(codes.at(-1)).toBe('refusals_omitted');
    for (const r of event.refusals) {
      expect(JSON.stringify(r.value ?? '').length).toBeLessThanOrEqual(260);
      expect(r.path.length).toBeLessThanOrEqual(101);
    }
  }
  // each refused event is kept within a few KB, the first reasons whole, the others counted
  for (const event of latest) expect(JSON.stringify(event.refusals).length).toBeLessThan(5 * KB);
  expect(latest[0]!.refusals.at(-1)!.message).toMatch(/^and \d+ more reasons, not kept$/);

  // the rest, newest first, a page at a time: every refused event once
  const seen: Refused[] = [];
  let token: string | undefined;
  do {
    const page = await read(`${path}/refused-events?pageSize=8${token ? `&pageToken=${token}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.bytes).toBeLessThan(64 * KB);
    seen.push(...(page.body.refused as Refused[]));
    token = page.body.nextPageToken;
  } while (token);
  expect(seen).toHaveLength(20);
  expect(new Set(seen.map((e) => e.eventId)).size).toBe(20);
  // the read's latest are the newest of them
  expect(latest.map((e) => e.eventId)).toEqual(
    seen
      .slice(0, latest.length)
      .map((e) => e.eventId)
      .reverse(),
  );
  // another éditeur pages nothing of it
  const rival = await fetch(`${h.api.url}${path}/refused-events`, {
    headers: { authorization: `Bearer ${h.api.tokens.rival}` },
  });
  expect(rival.status).toBe(404);
}, 240_000);

test('at the edge: a 120 KB invoice number, a 120 KB reason, too many ESSMS — a 422 naming the field, its value cut, nothing recorded', async () => {
  const { request, path } = await awaitingVa();
  const va = vaRequestBody(request, iso((await h.now()) - 60_000), 584_000);
  const huge = 'X'.repeat(120 * KB);
  const number = await h.api.call('POST', `${path}/va`, {
    token: h.api.tokens.acme,
    body: { ...va, invoice: { ...va.invoice, number: huge } },
  });
  expect(number.status).toBe(422);
  expect(number.body.refusals).toEqual([
    expect.objectContaining({ code: 'too_big', path: 'body.invoice.number', value: `${'X'.repeat(100)}…` }),
  ]);
  expect(JSON.stringify(number.body).length).toBeLessThan(2 * KB);

  const many = await h.api.call('POST', `${path}/va`, {
    token: h.api.tokens.acme,
    body: { ...va, va: { ...va.va, essms: Array.from({ length: 501 }, () => va.va.essms[0]) } },
  });
  expect([many.status, many.body.refusals[0].code, many.body.refusals[0].path]).toEqual([
    422,
    'too_big',
    'body.va.essms',
  ]);
  const key = await h.api.call('POST', `${path}/va`, {
    token: h.api.tokens.acme,
    body: { ...va, va: { ...va.va, essms: [{ ...va.va.essms[0], tbb1: { [huge]: 1 } }] } },
  });
  expect([key.status, key.body.refusals[0].code]).toEqual([422, 'too_big']);
  expect(JSON.stringify(key.body).length).toBeLessThan(2 * KB);

  // a reason (zod at the edge, bounded already): the answer does not echo 120 KB back
  const reason = await h.api.call('POST', `${path}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), reason: huge },
  });
  expect([reason.status, reason.body.refusals[0].path]).toEqual([422, 'body.reason']);
  expect(JSON.stringify(reason.body).length).toBeLessThan(2 * KB);

  // refused at the edge: nothing reached the BDC, nothing was kept
  const bdc = await read(path);
  expect([bdc.body.refusedCount, bdc.body.refused, bdc.body.status]).toEqual([0, [], 'awaiting_va']);
});

test('a campaign is bounded too: a label of 120 KB is refused naming it', async () => {
  const campaigns = await h.api.call('GET', '/campaigns', { token: h.api.tokens.operator });
  const base = campaigns.body.campaigns?.[0] ?? campaigns.body[0];
  const created = await h.api.call('POST', '/campaigns', {
    token: h.api.tokens.operator,
    body: { ...base, id: `big-${Date.now()}`, label: 'L'.repeat(120 * KB) },
  });
  expect(created.status).toBe(422);
  expect(created.body.refusals.map((r: { path: string }) => r.path)).toContain('body.label');
  expect(JSON.stringify(created.body).length).toBeLessThan(4 * KB);
});
