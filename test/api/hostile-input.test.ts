import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../../api/server';
import { loadTokens, newToken, TokenRegistry } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { loadConfig } from '../../config/env';
import { harnessPerFile } from '../support/harness';

// Issue 13: hostile input answers 4xx in the refusal format, every time; access fails closed.
const h = harnessPerFile({ server: 'dev', api: true });
const get = (path: string, token = h.api.tokens.operator) => h.api.call('GET', path, { token });

test('a page token the API did not make is a 422, not a 500', async () => {
  const { status, body } = await get('/bdcs?pageToken=AAAAAAAAAAAA');
  expect([status, body.refusals[0]]).toEqual([
    422,
    expect.objectContaining({ code: 'invalid_page_token', path: 'pageToken' }),
  ]);
});

test('an instant with an offset ISO 8601 allows and PostgreSQL does not is read as the same UTC instant', async () => {
  // found by schemathesis in the drill: +22:58 passed validation, then PostgreSQL refused it (500)
  const { status, body } = await get(
    `/bdcs?deadlineTo=${encodeURIComponent('2029-10-30T21:44:53+22:58')}&deadlineFrom=${encodeURIComponent('2020-01-01T00:00:00-23:59')}`,
  );
  expect([status, Array.isArray(body.bdcs)]).toEqual([200, true]);
});

test('a body nested 20,000 levels is a 400 in the refusal format', async () => {
  const raw = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
  const { status, body } = await h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, raw });
  expect([status, body.refusals[0].code]).toEqual([400, 'too_deep']);
  const poisoned = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    raw: '{"__proto__": {"admin": true}}',
  });
  expect([poisoned.status, poisoned.body.refusals[0].code]).toEqual([400, 'invalid_json']);
});

test('a URL too long, a route unknown, a content type unsupported: each in the refusal format', async () => {
  const long = await fetch(`${h.api.url}/bdcs/${'x'.repeat(9_000)}`, {
    headers: { authorization: `Bearer ${h.api.tokens.operator}` },
  });
  expect(long.status).toBe(414);
  expect(((await long.json()) as { refusals: unknown[] }).refusals[0]).toMatchObject({ code: 'uri_too_long' });
  const huge = await fetch(`${h.api.url}/bdcs?${'a'.repeat(40_000)}`);
  expect([huge.status, ((await huge.json()) as { refusals: { code: string }[] }).refusals[0]!.code]).toEqual([
    431,
    'request_too_large',
  ]);
  expect((await get('/nothing-here')).body.refusals[0]).toMatchObject({ code: 'not_found' });
  const xml = await fetch(`${h.api.url}/bdcs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.api.tokens.operator}`, 'content-type': 'application/xml' },
    body: '<bdc/>',
  });
  expect([xml.status, ((await xml.json()) as { refusals: { code: string }[] }).refusals[0]!.code]).toEqual([
    415,
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  ]);
});

test('every route declares who may call it: one that does not, does not start', async () => {
  const app = await buildApi({
    engine: await h.engine(),
    tokens: new TokenRegistry([]),
    logger: createLogger('silent'),
  });
  expect(() => app.get('/forgotten', async () => ({ secret: true }))).toThrow(
    'route GET /forgotten declares neither its roles nor that it is public',
  );
  await app.close();
});

test('identifiers follow one grammar: a token for an éditeur id with a quote is refused when the tokens load', () => {
  const entry = {
    ...newToken({ name: 'x', role: 'editeur', editeurId: 'nobody' }).entry,
    editeurId: "nobody' OR BdcEditeur != 'nobody",
  };
  expect(() => loadTokens({ API_TOKENS: JSON.stringify([entry]) })).toThrow(/editeurId/);
  expect(() => newToken({ name: 'x', role: 'editeur', editeurId: "a'b" })).toThrow();
});

test('failed authentication is throttled per source; security headers are set', async () => {
  const answers = [];
  for (let i = 0; i < 35; i++)
    answers.push((await h.api.call('GET', '/bdcs', { token: 'sons_not-a-token-at-all-not-at-all' })).status);
  expect(answers.slice(0, 30).every((s) => s === 401)).toBe(true);
  expect(answers.at(-1)).toBe(429);
  // a valid token is never throttled
  const ok = await fetch(`${h.api.url}/bdcs`, { headers: { authorization: `Bearer ${h.api.tokens.operator}` } });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
  expect(ok.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
});

test('/health says the process lives, /ready that Temporal and the database answer', async () => {
  expect((await h.api.call('GET', '/health')).body).toEqual({ ok: true });
  const ready = await h.api.call('GET', '/ready', { token: h.api.tokens.admin });
  expect([ready.status, ready.body.ready, ready.body.temporal.ok, ready.body.database.ok]).toEqual([
    200,
    true,
    true,
    true,
  ]);
});

test('Temporal frozen (it accepts connections, never answers): 503 with Retry-After within the deadline, never a hang; reads from the record still answer', async () => {
  // a process stopped with SIGSTOP, a half-dead proxy: the TCP handshake succeeds, then silence. Without
  // the API's deadline per request the call would wait on the 10-minute connect timeout, past jest's own.
  const silent: net.Socket[] = [];
  const frozen = net.createServer((socket) => silent.push(socket)).listen(0, '127.0.0.1');
  await new Promise((r) => frozen.once('listening', r));
  const dead = new Client({
    connection: await Connection.lazy({
      address: `127.0.0.1:${(frozen.address() as net.AddressInfo).port}`,
      connectTimeout: 600_000,
    }),
  });
  const operator = newToken({ name: 'ops-x', role: 'operator' });
  const app = await buildApi({
    engine: { ...(await h.engine()), client: dead },
    tokens: new TokenRegistry([operator.entry]),
    logger: createLogger('silent'),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const ready = await fetch(`${url}/ready`);
    expect([ready.status, ready.headers.get('retry-after')]).toEqual([503, '5']);
    const { bdcId } = await h.register();
    const cancel = await fetch(`${url}/bdcs/${encodeURIComponent(bdcId)}/cancellation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: randomUUID(), reason: 'x' }),
    });
    expect([
      cancel.status,
      cancel.headers.get('retry-after'),
      ((await cancel.json()) as { refusals: { code: string }[] }).refusals[0]!.code,
    ]).toEqual([503, '5', 'temporal_unavailable']);
    const read = await fetch(`${url}/bdcs/${encodeURIComponent(bdcId)}`, {
      headers: { authorization: `Bearer ${operator.secret}` },
    });
    expect(read.status).toBe(200);
  } finally {
    await app.close();
    silent.forEach((s) => s.destroy());
    frozen.close();
  }
});

test('a configuration error names the variable and the reason, never a secret', () => {
  expect(() => loadConfig({ DATABASE_URL: 'mysql://sons:s3cr3t-pass@db:5432/sons' })).toThrow(
    /DATABASE_URL: expected a postgres:\/\/ URL/,
  );
  expect(() => loadConfig({ DATABASE_URL: 'mysql://sons:s3cr3t-pass@db:5432/sons' })).not.toThrow(/s3cr3t/);
});
