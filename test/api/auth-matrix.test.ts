import { randomUUID } from 'node:crypto';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest, vaRequestBody } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

// 401 without a valid token, 403 for a role without the right, 404 for another éditeur's BDC: for
// every route and every role.
// every route is tried without a valid token: more than the production allowance per minute
const h = harnessPerFile({ server: 'dev', api: true, unauthenticatedPerMinute: 10_000 });
type Role = 'operator' | 'admin' | 'acme';
const all: Role[] = ['operator', 'admin', 'acme'];

let bdcId: string;
let va: object;
beforeAll(async () => {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
  await h.seed(request, 3);
  bdcId = (await h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, body: request })).body.bdcId;
  va = vaRequestBody(request, new Date().toISOString(), 1);
});

const routes: {
  name: string;
  method: string;
  path: () => string;
  allowed: Role[];
  editeurScoped?: boolean;
  body?: () => unknown;
}[] = [
  { name: 'POST /bdcs', method: 'POST', path: () => '/bdcs', allowed: ['operator'] },
  { name: 'GET /bdcs', method: 'GET', path: () => '/bdcs', allowed: all },
  { name: 'GET /bdcs/:bdcId', method: 'GET', path: () => `/bdcs/${bdcId}`, allowed: all, editeurScoped: true },
  {
    name: 'POST /bdcs/:bdcId/referencement/dossier',
    method: 'POST',
    path: () => `/bdcs/${bdcId}/referencement/dossier`,
    allowed: ['operator', 'acme'],
    editeurScoped: true,
    body: () => ({ eventId: randomUUID(), filedOn: '2024-01-01' }),
  },
  {
    name: 'POST /bdcs/:bdcId/referencement/decision',
    method: 'POST',
    path: () => `/bdcs/${bdcId}/referencement/decision`,
    allowed: ['operator'],
  },
  {
    name: 'POST /solutions/acme-dui-5/referencement/decision',
    method: 'POST',
    path: () => '/solutions/acme-dui-5/referencement/decision',
    allowed: ['operator'],
  },
  {
    name: 'POST /bdcs/:bdcId/cancellation',
    method: 'POST',
    path: () => `/bdcs/${bdcId}/cancellation`,
    allowed: ['operator'],
  },
  {
    name: 'POST /bdcs/:bdcId/reimbursements',
    method: 'POST',
    path: () => `/bdcs/${bdcId}/reimbursements`,
    allowed: ['operator'],
  },
  {
    name: 'POST /bdcs/:bdcId/va',
    method: 'POST',
    path: () => `/bdcs/${bdcId}/va`,
    allowed: ['acme'],
    editeurScoped: true,
    body: () => ({ ...va, eventId: randomUUID() }),
  },
  { name: 'GET /campaigns', method: 'GET', path: () => '/campaigns', allowed: all },
  {
    name: 'POST /campaigns/test-ms1/calendar/dry-run',
    method: 'POST',
    path: () => '/campaigns/test-ms1/calendar/dry-run',
    allowed: ['operator'],
  },
  {
    name: 'POST /campaigns/test-ms1/calendar',
    method: 'POST',
    path: () => '/campaigns/test-ms1/calendar',
    allowed: ['operator'],
  },
  { name: 'POST /campaigns', method: 'POST', path: () => '/campaigns', allowed: ['operator'] },
  { name: 'POST /finess/extractions', method: 'POST', path: () => '/finess/extractions', allowed: ['operator'] },
  { name: 'POST /finess/exclusions', method: 'POST', path: () => '/finess/exclusions', allowed: ['operator'] },
  {
    name: 'GET /calendar-batches/nothing',
    method: 'GET',
    path: () => '/calendar-batches/nothing',
    allowed: ['operator', 'admin'],
  },
  { name: 'GET /reports/summary', method: 'GET', path: () => '/reports/summary', allowed: ['operator', 'admin'] },
  {
    name: 'GET /reports/summary.csv',
    method: 'GET',
    path: () => '/reports/summary.csv',
    allowed: ['operator', 'admin'],
  },
  {
    name: 'GET /ledger/reconciliation',
    method: 'GET',
    path: () => '/ledger/reconciliation',
    allowed: ['operator', 'admin'],
  },
  {
    name: 'GET /ledger/payment-orders.csv',
    method: 'GET',
    path: () => '/ledger/payment-orders.csv',
    allowed: ['operator', 'admin'],
  },
  { name: 'POST /documents', method: 'POST', path: () => '/documents', allowed: ['acme'] },
  // issue 25: the journal is the admins'
  { name: 'GET /journal', method: 'GET', path: () => '/journal', allowed: ['admin'] },
  { name: 'POST /journal/verifications', method: 'POST', path: () => '/journal/verifications', allowed: ['admin'] },
  { name: 'GET /journal/verifications', method: 'GET', path: () => '/journal/verifications', allowed: ['admin'] },
  { name: 'GET /journal/verifications/1', method: 'GET', path: () => '/journal/verifications/1', allowed: ['admin'] },
  { name: 'POST /journal/checkpoints', method: 'POST', path: () => '/journal/checkpoints', allowed: ['admin'] },
  { name: 'GET /journal/checkpoints', method: 'GET', path: () => '/journal/checkpoints', allowed: ['admin'] },
  {
    name: 'GET /journal/checkpoints/requests/1',
    method: 'GET',
    path: () => '/journal/checkpoints/requests/1',
    allowed: ['admin'],
  },
  { name: 'GET /journal/keys', method: 'GET', path: () => '/journal/keys', allowed: ['admin'] },
  { name: 'GET /journal/export', method: 'GET', path: () => `/journal/export?bdcId=${bdcId}`, allowed: ['admin'] },
  {
    name: 'PUT /contacts/auditor/ccomptes',
    method: 'PUT',
    path: () => '/contacts/auditor/ccomptes',
    allowed: ['admin'],
    body: () => ({ emails: ['audit@ccomptes.example'] }),
  },
];

describe.each(routes)('$name', (route) => {
  const body = () => route.body?.() ?? (route.method === 'POST' ? {} : undefined);

  test('401 without a token or with an unknown one', async () => {
    const none = await h.api.call(route.method, route.path(), { body: body() });
    expect([none.status, none.body.refusals[0].code]).toEqual([401, 'unauthenticated']);
    const forged = await h.api.call(route.method, route.path(), {
      token: 'sons_this-is-not-a-known-token',
      body: body(),
    });
    expect(forged.status).toBe(401);
  });

  test('403 for every role without the right; others pass the gate', async () => {
    for (const role of all) {
      const { status } = await h.api.call(route.method, route.path(), { token: h.api.tokens[role], body: body() });
      if (route.allowed.includes(role)) expect([role, status]).not.toEqual([role, 403]);
      else expect([role, status]).toEqual([role, 403]);
      expect([role, status]).not.toEqual([role, 401]);
    }
  });

  if (route.editeurScoped) {
    test("404 for another éditeur's BDC, exactly as for a missing one", async () => {
      const theirs = await h.api.call(route.method, route.path(), { token: h.api.tokens.rival, body: body() });
      const missing = await h.api.call(route.method, route.path().replace(bdcId, 'bdc-editeur-rival-nothing'), {
        token: h.api.tokens.rival,
        body: body(),
      });
      expect([theirs.status, missing.status]).toEqual([404, 404]);
      // the same answer, but for the id the caller itself sent
      expect(theirs.body).toEqual(
        JSON.parse(JSON.stringify(missing.body).replaceAll('bdc-editeur-rival-nothing', bdcId)),
      );
    });
  }
});
