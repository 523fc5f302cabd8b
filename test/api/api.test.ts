import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest, vaRequestBody } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';
import type { BdcRequest } from '../../domain/bdc';

// Real HTTP against the API, on the dev server, with the real worker and ledger.
const h = harnessPerFile({ server: 'dev', api: true });
const today = () => parisCivilDate(new Date());

async function registered(overrides: Partial<BdcRequest> = {}) {
  const pending = overrides.solutionReferenced === false ? { solutionId: `sol-${randomUUID().slice(0, 8)}` } : {};
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today(), ...pending, ...overrides });
  await h.seed(request, 3);
  // référencement is the solution's: granted in the registry, unless the test wants it pending (a solution of its own)
  if (overrides.solutionReferenced !== false) await h.grant(request.solutionId, request.editeurId);
  const { status, body } = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...request, eventId: randomUUID() },
  });
  expect(status).toBe(201);
  await h.waitForStatus(body.bdcId, request.solutionReferenced ? 'awaiting_va' : 'awaiting_referencement');
  return { bdcId: body.bdcId as string, request };
}

const vaBody = (request: BdcRequest) => vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000);

test('an operator registers a BDC, the éditeur submits its VA, the ledger pays both parts', async () => {
  const { bdcId, request } = await registered();
  const { status, body } = await h.api.call('POST', `/bdcs/${bdcId}/va`, {
    token: h.api.tokens.acme,
    body: vaBody(request),
  });
  expect(status).toBe(200);
  expect(body.amounts).toMatchObject({ financedCents: 584_000, balanceCents: 408_800 });
  // the answer comes once the VA is recorded; its balance is then proposed to the ordonnateurs (four eyes)
  expect(body.audit.map((a: { kind: string }) => a.kind)).toContain('va_accepted');
  expect(body.audit.find((a: { kind: string }) => a.kind === 'va_accepted')).toMatchObject({
    by: { role: 'editeur', id: 'editeur-acme/acme-api' },
  });
  const done = await h.waitForStatus(bdcId, 'completed');
  expect(done.audit[0]).toMatchObject({ by: { role: 'operator', id: 'ops-1' } });
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
});

test('a VA with problems is answered 422 with every reason, and nothing changes', async () => {
  const { bdcId, request } = await registered();
  const body = vaBody(request);
  body.va.essms[0]!.tbb1 = { 'TBB.1.1': 0 };
  body.invoice.ogFiness = '010003820';
  const response = await h.api.call('POST', `/bdcs/${bdcId}/va`, { token: h.api.tokens.acme, body });
  expect(response.status).toBe(422);
  expect(response.body.refusals.map((r: { code: string }) => r.code)).toEqual(['va_tbb1_zero', 'invoice_other_og']);
  expect((await h.state(bdcId)).status).toBe('awaiting_va');
});

test('malformed requests are answered 422 with the field paths, in French unless English is asked for', async () => {
  const bad = {
    ...bdcRequest({ campaignId: 'test-ms1', orderDate: today() }),
    ogFiness: '12345',
    essms: [],
    editeurId: 'a b',
  };
  const { status, body } = await h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, body: bad });
  expect(status).toBe(422);
  expect(body.refusals).toEqual(
    expect.arrayContaining([
      {
        code: 'invalid_custom',
        path: 'body.ogFiness',
        message: 'un numéro FINESS compte 9 caractères (12345)',
        value: '12345',
      },
      { code: 'invalid_too_small', path: 'body.essms', message: 'un BDC porte sur au moins un ESSMS', value: [] },
      {
        code: 'invalid_format',
        path: 'body.editeurId',
        message: 'lettres, chiffres, « . », « _ » ou « - » (pas en premier), 64 au plus',
        value: 'a b',
      },
    ]),
  );
  const english = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: bad,
    headers: { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' },
  });
  expect(english.body.refusals).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: 'body.ogFiness', message: 'a FINESS number has 9 characters (12345)' }),
      expect.objectContaining({ path: 'body.essms', message: 'a BDC covers at least one ESSMS' }),
    ]),
  );
  // a rule zod states itself (a missing field) is said by zod's French locale
  const missing = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...bad, orderDate: undefined },
  });
  expect(missing.body.refusals).toEqual(
    expect.arrayContaining([
      { code: 'invalid_type', path: 'body.orderDate', message: expect.stringMatching(/attendu/) },
    ]),
  );
  const notJson = await h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, raw: '{"editeurId": ' });
  expect(notJson.status).toBe(400);
  // the API's own JSON parser (bounded in depth, issue 13) says so in its words
  expect(notJson.body.refusals[0]).toMatchObject({ code: 'invalid_json' });
  const huge = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    raw: JSON.stringify({ x: 'x'.repeat(300_000) }),
  });
  expect(huge.status).toBe(413);
});

test('a second registration of the same BDC is a 409', async () => {
  const { request } = await registered();
  const again = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...request, eventId: randomUUID() },
  });
  expect(again.status).toBe(409);
  expect(again.body.refusals[0].code).toBe('already_registered');
});

test('an éditeur sees only its own BDCs; the list filters by status, éditeur and ESSMS', async () => {
  const mine = await registered();
  const theirs = await registered({ editeurId: 'editeur-rival' });
  const list = (token: string, query: string) =>
    eventually(async () => {
      const { body } = await h.api.call('GET', `/bdcs?${query}`, { token });
      return body.bdcs.length > 0 && body.bdcs.map((b: { bdcId: string }) => b.bdcId);
    });
  expect(
    await list(h.api.tokens.operator, `essms=${theirs.request.essms[0]}&status=awaiting_va&editeur=editeur-rival`),
  ).toEqual([theirs.bdcId]);
  expect(await list(h.api.tokens.acme, `essms=${mine.request.essms[0]}`)).toEqual([mine.bdcId]);
  expect(
    (await h.api.call('GET', `/bdcs?essms=${theirs.request.essms[0]}`, { token: h.api.tokens.acme })).body.bdcs,
  ).toEqual([]);
  expect((await h.api.call('GET', `/bdcs/${theirs.bdcId}`, { token: h.api.tokens.acme })).status).toBe(404);
  expect((await h.api.call('GET', `/bdcs/${theirs.bdcId}`, { token: h.api.tokens.rival })).status).toBe(200);
});

test('référencement: the éditeur files its dossier, the ANS decision for the solution releases every waiting BDC', async () => {
  const solutionId = `sol-${randomUUID().slice(0, 8)}`;
  const a = await registered({ solutionReferenced: false, solutionId });
  const b = await registered({ solutionReferenced: false, solutionId });
  const filed = await h.api.call('POST', `/bdcs/${a.bdcId}/referencement/dossier`, {
    token: h.api.tokens.acme,
    body: { eventId: randomUUID(), filedOn: today() },
  });
  expect(filed.status).toBe(200);
  expect(filed.body.referencement.dossierFiledAt).toBeDefined();
  const decided = await h.api.call('POST', `/solutions/${solutionId}/referencement/decision`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), decision: 'granted', decidedOn: today() },
  });
  expect([decided.status, decided.body.state]).toEqual([202, 'granted']);
  await h.waitForStatus(a.bdcId, 'awaiting_va');
  await h.waitForStatus(b.bdcId, 'awaiting_va');
  const batch = await eventually(async () => {
    const { body } = await h.api.call('GET', `/batches/${encodeURIComponent(decided.body.batchId)}`, {
      token: h.api.tokens.admin,
    });
    return body.done && body;
  });
  expect(batch).toMatchObject({ total: 2, applied: 2, skipped: 0, failed: 0, done: true });
  expect((await h.money(a.bdcId)).orders).toEqual([['advance', 175_200]]);
  // a BDC registered for the solution from now on proceeds at once: no flag, the registry says granted
  const c = await registered({ solutionId });
  expect((await h.money(c.bdcId)).orders).toEqual([['advance', 175_200]]);
});

test('a référencement decision for one BDC: refused, the BDC is rejected and pays nothing', async () => {
  const { bdcId } = await registered({ solutionReferenced: false });
  const decided = await h.api.call('POST', `/bdcs/${bdcId}/referencement/decision`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), decision: 'refused', decidedOn: today() },
  });
  expect([decided.status, decided.body.referencement.state]).toEqual([200, 'refused']);
  await h.waitForStatus(bdcId, 'rejected');
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
});

test('cancellation after the advance, then the reimbursement recorded: the ledger holds both', async () => {
  const { bdcId } = await registered();
  const cancelled = await h.api.call('POST', `/bdcs/${bdcId}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), reason: 'éditeur défaillant' },
  });
  expect(cancelled.status).toBe(200);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  const received = await h.api.call('POST', `/bdcs/${bdcId}/reimbursements`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), amountCents: 175_200, receivedOn: today() },
  });
  expect(received.status).toBe(200);
  await h.waitForStatus(bdcId, 'reimbursed');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [175_200] });
  const late = await h.api.call('POST', `/bdcs/${bdcId}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), reason: 'again' },
  });
  expect(late.status).toBe(409);
});

test('reports, reconciliation and the accounting export', async () => {
  const summary = await h.api.call('GET', '/reports/summary', { token: h.api.tokens.admin });
  expect(summary.status).toBe(200);
  const completed = summary.body.lines.find(
    (l: { status: string; editeur: string }) => l.status === 'completed' && l.editeur === 'editeur-acme',
  );
  expect(completed).toMatchObject({
    campaign: 'test-ms1',
    bdcs: 1,
    committedCents: 584_000,
    advancedCents: 175_200,
    paidCents: 584_000,
  });
  const csv = await h.api.call('GET', '/reports/summary.csv', { token: h.api.tokens.operator });
  expect(csv.body.split('\r\n')[0]).toBe(
    'campaign,status,editeur,bdcs,committed_eur,advanced_eur,paid_eur,demanded_eur,received_eur,written_off_eur,outstanding_eur',
  );
  expect(csv.body).toContain('test-ms1,completed,editeur-acme,1,5840.00,1752.00,5840.00,0.00,0.00,0.00,0.00');
  const reconciliation = await h.api.call('GET', '/ledger/reconciliation', { token: h.api.tokens.operator });
  expect(reconciliation.body.differences).toEqual([]);
  const orders = await h.api.call('GET', '/ledger/payment-orders.csv', { token: h.api.tokens.admin });
  expect(orders.body.split('\r\n')[0]).toBe(
    'payment_order_id,issued_at,bdc_id,kind,amount_eur,editeur_id,og_finess,campaign_id,idempotency_key',
  );
});

test('the OpenAPI document and the docs page are served', async () => {
  const doc = await h.api.call('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  expect(Object.keys(doc.body.paths)).toEqual(
    expect.arrayContaining([
      '/bdcs',
      '/bdcs/{bdcId}',
      '/bdcs/{bdcId}/va',
      '/campaigns/{campaignId}/calendar/dry-run',
      '/reports/summary',
    ]),
  );
  expect((await h.api.call('GET', '/docs/')).status).toBe(200);
});

test('reference data and campaigns are added through the API while the engine runs', async () => {
  const fixture = path.resolve(__dirname, '..', 'fixtures', 'finess-extraction.csv');
  const uploaded = await fetch(`${h.api.url}/finess/extractions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.api.tokens.operator}`, 'content-type': 'text/csv' },
    body: fs.readFileSync(fixture),
  });
  expect(uploaded.status).toBe(201);
  expect(await uploaded.json()).toMatchObject({ encoding: 'utf-8', extraction: { date: '2023-01-17', rowsKept: 174 } });

  const excluded = await h.api.call('POST', '/finess/exclusions', {
    token: h.api.tokens.operator,
    body: { entries: [{ finess: '010003821', reason: 'x' }] },
  });
  expect(excluded.status).toBe(422);
  expect(excluded.body.refusals[0]).toMatchObject({
    path: 'body.entries.0.finess',
    message: 'la clé de contrôle est fausse (Luhn) (010003821)',
  });

  const campaign = {
    ...(await h.api.call('GET', '/campaigns', { token: h.api.tokens.operator })).body.find(
      (c: { id: string }) => c.id === 'test-ms1',
    ),
    id: 'vague2-ms1',
    label: 'Vague 2',
  };
  const created = await h.api.call('POST', '/campaigns', { token: h.api.tokens.operator, body: campaign });
  expect([created.status, created.body.id]).toEqual([201, 'vague2-ms1']);
  expect((await h.api.call('POST', '/campaigns', { token: h.api.tokens.operator, body: campaign })).status).toBe(201);
  const clash = await h.api.call('POST', '/campaigns', {
    token: h.api.tokens.operator,
    body: { ...campaign, label: 'autre' },
  });
  expect([clash.status, clash.body.refusals[0].code]).toEqual([422, 'campaign_exists']);

  // an amendment may close the campaign at a precise instant
  const closingAt = new Date(Date.now() + 3_600_000).toISOString();
  const amended = await h.api.call('POST', '/campaigns/vague2-ms1/calendar', {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), closingAt, reason: 'clôture à midi' },
  });
  expect(amended.status).toBe(202);
  const now = (await h.api.call('GET', '/campaigns', { token: h.api.tokens.operator })).body.find(
    (c: { id: string }) => c.id === 'vague2-ms1',
  );
  expect(now).toMatchObject({ closingAt, closingDate: parisCivilDate(new Date(closingAt)) });
});

test('an éditeur uploads its PDFs, its VA names them by SHA-256; another éditeur can neither read them nor cite them', async () => {
  const { bdcId, request } = await registered();
  const pdf = Buffer.from('%PDF-1.4\n% a signed VA\n%%EOF\n', 'latin1');
  const upload = (token: string, body: Buffer, type = 'application/pdf') =>
    fetch(`${h.api.url}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: new Uint8Array(body),
    });
  const stored = await upload(h.api.tokens.acme, pdf);
  expect(stored.status).toBe(201);
  const { sha256 } = (await stored.json()) as { sha256: string };
  expect(sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
  // not a PDF: refused in the refusal format
  const notPdf = await upload(h.api.tokens.acme, Buffer.from('GIF89a'));
  expect(notPdf.status).toBe(422);
  expect(((await notPdf.json()) as { refusals: { code: string }[] }).refusals[0]!.code).toBe('document_not_pdf');

  const foreign = await h.api.call('GET', `/documents/${sha256}`, { token: h.api.tokens.rival });
  expect(foreign.status).toBe(404);
  const read = await fetch(`${h.api.url}/documents/${sha256}`, {
    headers: { authorization: `Bearer ${h.api.tokens.operator}` },
  });
  expect(Buffer.from(await read.arrayBuffer()).equals(pdf)).toBe(true);

  const theirs = await registered({ editeurId: 'editeur-rival' });
  const cited = await h.api.call('POST', `/bdcs/${theirs.bdcId}/va`, {
    token: h.api.tokens.rival,
    body: { ...vaBody(theirs.request), documents: { signedVa: sha256, invoice: sha256 } },
  });
  expect(cited.status).toBe(422);
  expect(cited.body.refusals.map((r: { code: string; path: string }) => [r.code, r.path])).toEqual([
    ['document_unknown', 'documents.signedVa'],
    ['document_unknown', 'documents.invoice'],
  ]);

  const { status, body } = await h.api.call('POST', `/bdcs/${bdcId}/va`, {
    token: h.api.tokens.acme,
    body: { ...vaBody(request), documents: { signedVa: sha256, invoice: sha256 } },
  });
  expect(status).toBe(200);
  expect(body.va.documents).toEqual({ signedVa: sha256, invoice: sha256 });
  expect(body.audit.find((a: { kind: string }) => a.kind === 'va_documents')).toBeDefined();
  // the balance once an ordonnateur validated it
  await h.waitForStatus(bdcId, 'completed');
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
});
