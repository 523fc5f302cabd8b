import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { newToken } from '../../api/auth';
import { loadConfig } from '../../config/env';
import { parisCivilDate } from '../../domain/calendar';
import { serveApi } from '../../scripts/local-engine';
import { bdcRequest } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 19, "Hostile world, round 2", through real HTTP: bad input is a structured 4xx, never a 500;
// what the API answers the moment it answers is readable at once.
const h = harnessPerFile({ server: 'dev', api: true });
const today = () => parisCivilDate(new Date());

test('an id outside the grammar in a contact’s URL is a 422 naming the parameter, not a 500', async () => {
  const { status, body } = await h.api.call('PUT', '/contacts/editeur/bad!id', {
    token: h.api.tokens.operator,
    body: { emails: ['dsi@acme.example'] },
  });
  expect([status, body.refusals[0]]).toEqual([422, expect.objectContaining({ path: 'params.partyId' })]);
});

test('a NUL character in a query or a body is a 400 naming it, not a 500 from the database (found by the drill)', async () => {
  const query = await h.api.call('GET', '/proposals?bdcId=a%00b', { token: h.api.tokens.ordonnateur });
  expect([query.status, query.body.refusals[0]]).toEqual([400, expect.objectContaining({ code: 'nul_character' })]);
  const body = await h.api.call('POST', '/bdcs/bdc%3Aediteur-acme%3AX/cancellation', {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), reason: 'a\u0000b' },
  });
  expect([body.status, body.body.refusals[0]]).toEqual([400, expect.objectContaining({ code: 'nul_character' })]);
});

test('a batch is readable the moment its id is answered', async () => {
  const request = bdcRequest({
    campaignId: 'test-ms1',
    orderDate: today(),
    solutionId: `sol-${randomUUID().slice(0, 8)}`,
    solutionReferenced: false,
  });
  await h.intake(request);
  // no worker meanwhile: the batch's workflow cannot write anything before the read
  const [decided, read] = await h.withWorkerPaused(async () => {
    const answer = await h.api.call('POST', `/solutions/${request.solutionId}/referencement/decision`, {
      token: h.api.tokens.operator,
      body: { eventId: randomUUID(), decision: 'granted', decidedOn: today() },
    });
    return [answer, await h.api.call('GET', `/batches/${answer.body.batchId}`, { token: h.api.tokens.operator })];
  });
  expect(decided.status).toBe(202);
  expect([read.status, read.body]).toEqual([
    200,
    expect.objectContaining({ batchId: decided.body.batchId, kind: 'referencement', done: false }),
  ]);
  // and it goes on to its end (its total counted by the workflow), leaving nothing in flight behind the test
  const done = await eventually(
    async () => {
      const progress = await h.api.call('GET', `/batches/${decided.body.batchId}`, { token: h.api.tokens.operator });
      return progress.body.done === true && progress.body;
    },
    { what: 'the batch done' },
  );
  expect(done).toMatchObject({ total: 1, applied: 1 });
});

test('the trusted proxies are addresses or ranges, checked at start-up', () => {
  expect(loadConfig({ API_TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,::1,loopback' }).API_TRUSTED_PROXIES).toEqual([
    '10.0.0.5',
    '10.1.0.0/16',
    '::1',
    'loopback',
  ]);
  for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.5/16/2', ','])
    expect(() => loadConfig({ API_TRUSTED_PROXIES: bad })).toThrow(/API_TRUSTED_PROXIES: expected addresses or CIDR/);
});

/** One request from a chosen local address (127.0.0.2 is not the trusted proxy 127.0.0.1): its status. */
function from(
  localAddress: string,
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        localAddress,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      },
    );
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('behind the trusted proxy each client has its own throttle; a forged X-Forwarded-For from elsewhere is ignored', async () => {
  const { handle, close } = await serveApi(await h.engine(), {
    trustedProxies: ['127.0.0.1'],
    limits: { unauthenticatedPerMinute: 5 },
  });
  try {
    const guess = (localAddress: string, forwardedFor: string) =>
      from(localAddress, `${handle.url}/bdcs`, {
        headers: { authorization: 'Bearer sons_not-a-token-at-all-not-at-all', 'x-forwarded-for': forwardedFor },
      });
    const first: number[] = [];
    for (let i = 0; i < 6; i++) first.push(await guess('127.0.0.1', '203.0.113.7'));
    expect(first).toEqual([401, 401, 401, 401, 401, 429]);
    // another client behind the same proxy is not locked out by the first
    expect(await guess('127.0.0.1', '203.0.113.8')).toBe(401);
    // from an address that is not the proxy, the header is not believed: a new name each time changes nothing
    const forged: number[] = [];
    for (let i = 0; i < 6; i++) forged.push(await guess('127.0.0.2', `198.51.100.${i}`));
    expect(forged).toEqual([401, 401, 401, 401, 401, 429]);
  } finally {
    await close();
  }
});

test("a token's writes are limited per minute; its reads and another token's writes are not", async () => {
  const { handle, close } = await serveApi(await h.engine(), { limits: { writesPerMinute: 3 } });
  try {
    const write = (token: string) =>
      handle.call('POST', '/bdcs/bdc:editeur-acme:none/cancellation', {
        token,
        body: { eventId: randomUUID(), reason: 'x' },
      });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await write(handle.tokens.operator));
    // the first three reach the engine (no such BDC), the fourth is throttled
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 429]);
    expect(answers[3]!.body.refusals[0]).toMatchObject({ code: 'too_many_requests' });
    const throttled = await fetch(`${handle.url}/bdcs/x/cancellation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${handle.tokens.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: randomUUID(), reason: 'x' }),
    });
    expect([throttled.status, Number(throttled.headers.get('retry-after'))]).toEqual([429, expect.any(Number)]);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await handle.call('GET', '/bdcs', { token: handle.tokens.operator })).status).toBe(200);
    const other = await handle.call('PUT', '/contacts/editeur/editeur-acme', {
      token: handle.tokens.acme,
      body: { emails: ['dsi@acme.example'] },
    });
    expect(other.status).toBe(200);
  } finally {
    await close();
  }
});

test('a revoked token is refused at its next request by every API process, without a restart; it never opened a console page', async () => {
  const victim = newToken({ name: `victim-${randomUUID().slice(0, 8)}`, role: 'operator' });
  // two API processes on one database, as docker-compose may run them
  const [one, two] = await Promise.all(
    [0, 1].map(async () => serveApi(await h.engine(), { extraTokens: [victim.entry] })),
  );
  try {
    // a machine's token is for the API: the console opens to people only
    const page = await fetch(`${two!.handle.url}/console/bdc`, {
      headers: { authorization: `Bearer ${victim.secret}` },
      redirect: 'manual',
    });
    expect([page.status, page.headers.get('location')]).toEqual([302, '/console/connexion?suite=%2Fconsole%2Fbdc']);
    // and with no OpenID provider declared, nobody signs in: the page says who can change that
    const signIn = await fetch(`${two!.handle.url}/console/connexion`);
    const said = await signIn.text();
    expect([signIn.status, said.includes('Connexion indisponible'), said.includes('name="jeton"')]).toEqual([
      503,
      true,
      false,
    ]);
    expect((await one!.handle.call('GET', '/bdcs', { token: victim.secret })).status).toBe(200);
    expect((await two!.handle.call('GET', '/bdcs', { token: victim.secret })).status).toBe(200);

    const revoked = await one!.handle.call('POST', `/tokens/${victim.entry.name}/revocation`, {
      token: one!.handle.tokens.admin,
      body: { reason: 'lost laptop' },
    });
    expect([revoked.status, revoked.body]).toEqual([200, { name: victim.entry.name, secrets: 1, sessionsEnded: 0 }]);
    expect((await one!.handle.call('GET', '/bdcs', { token: victim.secret })).status).toBe(401);
    expect((await two!.handle.call('GET', '/bdcs', { token: victim.secret })).status).toBe(401);
    // only admins revoke; a name no token has is a 404
    expect(
      (
        await one!.handle.call('POST', `/tokens/${victim.entry.name}/revocation`, {
          token: one!.handle.tokens.operator,
          body: { reason: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await one!.handle.call('POST', '/tokens/nobody-at-all/revocation', {
          token: one!.handle.tokens.admin,
          body: { reason: 'x' },
        })
      ).body.refusals[0],
    ).toMatchObject({ code: 'not_found', path: 'params.name' });
  } finally {
    await Promise.all([one!.close(), two!.close()]);
  }
});

test('a token is refused once expired, and one that expires while in use at its next request', async () => {
  const expired = newToken({ name: 'expired-1', role: 'operator' }, { days: -1 });
  const brief = newToken({ name: 'brief-1', role: 'operator' }, { days: 2.5 / 86_400 });
  const { handle, close } = await serveApi(await h.engine(), { extraTokens: [expired.entry, brief.entry] });
  try {
    expect((await handle.call('GET', '/bdcs', { token: expired.secret })).status).toBe(401);
    expect((await handle.call('GET', '/bdcs', { token: brief.secret })).status).toBe(200);
    await eventually(async () => (await handle.call('GET', '/bdcs', { token: brief.secret })).status === 401, {
      budgetMs: 20_000,
    });
  } finally {
    await close();
  }
});

test('/ready tells anyone whether the engine is ready, only an admin what each dependency answered; it is throttled per source', async () => {
  const { handle, close } = await serveApi(await h.engine(), { limits: { readyPerMinute: 3 } });
  try {
    const anyone = await handle.call('GET', '/ready');
    expect([anyone.status, anyone.body]).toEqual([200, { ready: true }]);
    const operator = await handle.call('GET', '/ready', { token: handle.tokens.operator });
    expect(operator.body).toEqual({ ready: true });
    const admin = await handle.call('GET', '/ready', { token: handle.tokens.admin });
    expect(admin.body).toEqual({
      ready: true,
      temporal: { ok: true, ms: expect.any(Number) },
      database: { ok: true, ms: expect.any(Number) },
    });
    const throttled = await fetch(`${handle.url}/ready`);
    expect([throttled.status, Number(throttled.headers.get('retry-after')) > 0]).toEqual([429, true]);
    // liveness is never throttled
    expect((await handle.call('GET', '/health')).status).toBe(200);
  } finally {
    await close();
  }
});

test('a role changed in the tokens file takes effect at the next request; a token appended works at once; a broken file keeps the tokens last read', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-token-file-')), 'api-tokens.json');
  const person = newToken({ name: 'jmartin', role: 'operator' });
  fs.writeFileSync(file, JSON.stringify([person.entry]));
  const { handle, close } = await serveApi(await h.engine(), { tokensFile: file });
  try {
    expect((await handle.call('GET', '/metrics', { token: person.secret })).status).toBe(403);

    // an admin now, no longer an operator: the API sees it at once
    const newcomer = newToken({ name: 'anew', role: 'operator' });
    fs.writeFileSync(file, JSON.stringify([{ ...person.entry, role: 'admin' }, newcomer.entry]));
    expect((await handle.call('GET', '/metrics', { token: person.secret })).status).toBe(200);
    expect((await handle.call('GET', '/bdcs', { token: newcomer.secret })).status).toBe(200);

    // half an edit: the tokens last read stay in force
    fs.writeFileSync(file, '[{"name": "jmartin", "role": ');
    expect((await handle.call('GET', '/bdcs', { token: newcomer.secret })).status).toBe(200);
    // removed from the file: refused
    fs.writeFileSync(file, JSON.stringify([newcomer.entry]));
    expect((await handle.call('GET', '/metrics', { token: person.secret })).status).toBe(401);
  } finally {
    await close();
  }
});
