import { randomUUID } from 'node:crypto';
import { setContact } from '../../client/notices';
import { createLogger } from '../../config/logger';
import { Notifications } from '../../db/notifications';
import type { Sql } from '../../db/sql';
import { NotificationDispatcher } from '../../notifications/dispatcher';
import { SecretBox } from '../../notifications/secret-box';
import { postgresBackend } from '../support/database';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { receiverPerFile, startReceiver } from '../support/webhook-receiver';

// Issue 19, measured on main: deliveries were one after another (10 s timeout, batches of 20, a lease
// of 120 s), so six 9.5 s webhooks delayed an OG's answer email by 57 s; and with two workers, a batch
// could outlive its lease and be delivered twice. Now each recipient has its queue (a few deliveries at
// once, a circuit breaker), emails never wait behind webhooks, and a delivery holds its notification for
// its own bound, only while the hold is still its own.
const SLOW_MS = 9_000;
const slow = receiverPerFile(() => ({ status: 200, afterMs: SLOW_MS }));
const h = harnessPerFile(() => ({ api: true, mail: true, webhookAllowHttpHosts: [slow.hostPort] }));

test('six 9 s webhooks queued before it: an OG’s answer email still arrives in its normal time', async () => {
  await setContact(await h.engine(), {
    party: 'editeur',
    partyId: 'editeur-slow',
    emails: [],
    webhookUrl: `${slow.url}/sons`,
    webhookSecret: 'whsec_slow_endpoint_0123456789',
  });
  // six BDCs of the slow éditeur, reminded at the same instant: six webhooks of 9 s each
  const bdcs = [];
  for (let i = 0; i < 6; i++) bdcs.push(await h.register({ request: { editeurId: 'editeur-slow' } }));
  const closing = (await h.waitForStatus(bdcs[5]!.bdcId, 'awaiting_va')).deadlines.find((d) => d.name === 'closing')!;
  for (const b of bdcs) await h.waitForStatus(b.bdcId, 'awaiting_va');
  await h.sleepPast(closing.reminders![0]!.at);
  await eventually(() => slow.received.length > 0, { what: 'the slow webhooks under way' });

  // an OG's signalement answered now: its email goes out beside the webhooks, not after them
  const signalementId = randomUUID();
  await h.api.call('POST', '/signalements', {
    body: {
      signalementId,
      ogFiness: '010003820',
      editeurId: 'editeur-slow',
      description: 'Le devis nous semble très au-dessus du barème.',
      contactEmail: 'direction@og-pressee.example',
    },
  });
  const answeredAt = Date.now();
  await h.api.call('POST', `/signalements/${signalementId}/answer`, {
    token: h.api.tokens.operator,
    body: { answer: 'Merci, nous examinons ce devis.' },
  });
  await eventually(
    async () => (await h.mailbox.messages()).some((m) => m.to === 'direction@og-pressee.example') || undefined,
    { budgetMs: 90_000, everyMs: 100, what: 'the answer emailed' },
  );
  const emailDelayMs = Date.now() - answeredAt;
  // the dispatcher looks every 200 ms here; an SMTP exchange on loopback takes a few ms: well before one slow webhook
  expect(emailDelayMs).toBeLessThan(SLOW_MS / 3);
  // and the slow endpoint still gets all six, a few at a time (not one after the other, not all at once)
  await eventually(() => slow.received.length === 6, { budgetMs: 90_000, what: 'the six webhooks' });
  const starts = slow.received.map((r) => r.at).sort((a, b) => a - b);
  expect(starts[1]! - starts[0]!).toBeLessThan(SLOW_MS / 2);
  expect(starts[5]! - starts[0]!).toBeGreaterThanOrEqual(SLOW_MS);
}, 180_000);

describe('two dispatchers on one PostgreSQL database', () => {
  let sql: Sql;
  beforeAll(async () => {
    sql = (await openTestDatabase(postgresBackend())).ledger.sql;
  });
  afterAll(() => sql?.close());

  test('an endpoint that keeps failing is paused: its other notifications wait without spending attempts, others go on', async () => {
    const down = await startReceiver(() => ({ status: 503 }));
    const up = await startReceiver(() => ({ status: 200 }));
    const secrets = new SecretBox({ current: 'k1', keys: { k1: Buffer.alloc(32, 9).toString('base64') } });
    const outbox = new Notifications(sql);
    const notify = async (editeurId: string, url: string, count: number) => {
      await outbox.setContact({
        party: 'editeur',
        partyId: editeurId,
        emails: [],
        webhookUrl: url,
        webhookSecret: secrets.seal('whsec_breaker_0123456789', `editeur:${editeurId}`),
      });
      const keys = Array.from({ length: count }, () => `breaker:${editeurId}:${randomUUID()}`);
      for (const key of keys)
        await outbox.enqueue({
          key,
          template: 'order_deadline_reminder',
          to: { party: 'editeur', id: editeurId },
          params: { campaignLabel: 'test', deadlineAt: new Date().toISOString(), before: 'P1D' },
        });
      return keys;
    };
    const failing = await notify('editeur-down', `${down.url}/down`, 6);
    const working = await notify('editeur-up', `${up.url}/up`, 3);
    const dispatcher = new NotificationDispatcher(sql, {
      logger: createLogger('silent'),
      everyMs: 100,
      webhooks: { policy: { allowHttp: new Set([down.hostPort, up.hostPort]) }, secrets },
    });
    dispatcher.start();
    try {
      await eventually(() => up.received.length === 3, { what: 'the working endpoint served' });
      const rows = await eventually(
        async () => {
          const r = await sql.query<{ attempts: number; last_error: string | null }>(
            'SELECT attempts, last_error FROM notifications WHERE notification_id = ANY($1) ORDER BY attempts DESC',
            [failing],
          );
          return r.every((x) => x.last_error) && r;
        },
        { what: 'every notification of the failing endpoint tried or paused' },
      );
      await dispatcher.stop();
      // three failures in a row open its circuit (a fourth may be under way already: two at a time per
      // recipient); the others are not tried, their attempts unspent
      const tried = down.received.length;
      expect(tried).toBeGreaterThanOrEqual(3);
      expect(tried).toBeLessThanOrEqual(4);
      expect(rows.map((r) => r.attempts)).toEqual([...Array(tried).fill(1), ...Array(6 - tried).fill(0)]);
      expect(rows.slice(0, tried).map((r) => r.last_error)).toEqual(Array(tried).fill('the webhook answered 503'));
      for (const r of rows.slice(tried)) expect(r.last_error).toMatch(/^not tried: .*\(circuit breaker\)$/);
    } finally {
      await dispatcher.stop();
      await Promise.all([down.close(), up.close()]);
    }
    expect(working).toHaveLength(3);
  });

  test('a delivery slower than the hold of the take that found it is still made once', async () => {
    // 3 s per delivery, where a take holds its notifications for 1 s: before, the second dispatcher
    // took them again as soon as the hold lapsed and delivered them a second time
    const receiver = await startReceiver(() => ({ status: 200, afterMs: 3_000 }));
    const secrets = new SecretBox({ current: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64') } });
    const outbox = new Notifications(sql);
    await outbox.setContact({
      party: 'editeur',
      partyId: 'editeur-twice',
      emails: [],
      webhookUrl: `${receiver.url}/twice`,
      webhookSecret: secrets.seal('whsec_twice_0123456789', 'editeur:editeur-twice'),
    });
    const keys = Array.from({ length: 6 }, (_, i) => `twice:${i}:${randomUUID()}`);
    for (const key of keys)
      await outbox.enqueue({
        key,
        template: 'order_deadline_reminder',
        to: { party: 'editeur', id: 'editeur-twice' },
        params: { campaignLabel: 'test', deadlineAt: new Date().toISOString(), before: 'P1D' },
      });
    const dispatchers = [1, 2].map(
      () =>
        new NotificationDispatcher(sql, {
          logger: createLogger('silent'),
          everyMs: 100,
          takeLeaseSeconds: 1,
          webhooks: { policy: { allowHttp: new Set([receiver.hostPort]) }, secrets },
        }),
    );
    dispatchers.forEach((d) => d.start());
    try {
      const rows = await eventually(
        async () => {
          const r = await sql.query<{ status: string; attempts: number }>(
            'SELECT status, attempts FROM notifications WHERE notification_id = ANY($1)',
            [keys],
          );
          return r.length === 6 && r.every((x) => x.status === 'sent') && r;
        },
        { budgetMs: 90_000, what: 'the six delivered' },
      );
      // let any second delivery under way land before counting
      await Promise.all(dispatchers.map((d) => d.stop()));
      const deliveries = receiver.received.map((r) => r.headers['idempotency-key']);
      expect(deliveries.sort()).toEqual([...keys].sort());
      expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
      await receiver.close();
    }
  }, 120_000);
});
