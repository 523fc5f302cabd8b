import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setContact, startDailyNotices } from '../../client/notices';
import { SIGNATURE_HEADER, verifySignature } from '../../notifications/webhook';
import { DAILY_NOTICES_WORKFLOW_ID } from '../../contract/notices';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 15: an éditeur's webhook, signed (HMAC) and retried with backoff under one idempotency key;
// the operators' daily digest at 09:00 Paris, by email through a real SMTP server.
const h = harnessPerFile({ mail: true });

const paris = (instant: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', timeStyle: 'short' }).format(new Date(instant));

test("the operators' digest goes out at 09:00 Paris, once for the day", async () => {
  const engine = await h.engine();
  await setContact(engine, { party: 'operators', partyId: 'asp', emails: ['pilotage-sons@asp.example'] });
  await startDailyNotices(engine);
  await startDailyNotices(engine); // found running: one workflow
  const handle = engine.client.workflow.getHandle(DAILY_NOTICES_WORKFLOW_ID);
  try {
    await digestOfTheDay(engine, handle);
  } finally {
    // the next test moves the clock by months: no digest every day of them
    await handle.terminate('the next test moves the clock by months');
  }
});

async function digestOfTheDay(
  engine: Awaited<ReturnType<typeof h.engine>>,
  handle: ReturnType<Awaited<ReturnType<typeof h.engine>>['client']['workflow']['getHandle']>,
) {
  // the workflow sleeps until the next 09:00 Paris: the server's clock is moved a day on
  await h.env.sleep(24 * 3_600_000);
  const [digest] = await eventually(
    async () => {
      const mails = await h.mailbox.messages();
      return mails.length > 0 && mails;
    },
    { what: 'the digest email' },
  );
  expect(digest!.to).toBe('pilotage-sons@asp.example');
  expect(digest!.subject).toMatch(
    /^SONS — à traiter le \d{1,2} \S+ \d{4} : 0 remboursement\(s\) en retard, 0 BDC à examiner, 0 contrôle\(s\) à échéance$/,
  );
  const [row] = await engine.sql.query<{ notification_id: string; created_at: Date }>(
    "SELECT notification_id, created_at FROM notifications WHERE template = 'operator_digest'",
  );
  expect(row!.notification_id).toMatch(/^digest:\d{4}-\d{2}-\d{2}$/);
  // queued at 09:00 of the server's clock: the day's run then continued as new, at once
  const history = await handle.fetchHistory();
  const started = history.events![0]!;
  expect(started.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
  expect(paris(new Date(Number(started.eventTime!.seconds) * 1000).toISOString())).toBe('09:00');
}

test('a reminder to an éditeur webhook: signed with its secret, retried after a failure, with the same idempotency key', async () => {
  const secret = 'whsec_editeur_acme_0123456789';
  const received: { status: number; body: string; signature?: string; key?: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      // the éditeur's system is down the first time
      const status = received.length === 0 ? 503 : 200;
      received.push({
        status,
        body,
        signature: req.headers[SIGNATURE_HEADER] as string,
        key: req.headers['idempotency-key'] as string,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await setContact(await h.engine(), {
      party: 'editeur',
      partyId: 'editeur-hook',
      emails: [],
      webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sons`,
      webhookSecret: secret,
    });
    const { bdcId } = await h.register({ request: { editeurId: 'editeur-hook' } });
    const closing = (await h.waitForStatus(bdcId, 'awaiting_va')).deadlines.find((d) => d.name === 'closing')!;
    await h.sleepPast(closing.reminders![0]!.at);
    await eventually(async () => received.length === 2, {
      budgetMs: 60_000,
      what: 'the webhook retried after its failure',
    });
    expect(received.map((r) => r.status)).toEqual([503, 200]);
    expect(received[0]!.key).toBe(`reminder:${bdcId}:closing:${closing.reminders![0]!.at}`);
    expect(received[1]!.key).toBe(received[0]!.key);
    for (const r of received) expect(verifySignature(secret, r.body, r.signature)).toBe(true);
    expect(verifySignature('another secret', received[1]!.body, received[1]!.signature)).toBe(false);
    expect(JSON.parse(received[1]!.body)).toMatchObject({
      kind: 'deadline_reminder',
      bdcId,
      deadline: 'closing',
      deadlineAt: closing.at,
      before: 'P30D',
    });
    const [row] = await (
      await h.engine()
    ).sql.query<{ status: string; attempts: number }>(
      "SELECT status, attempts FROM notifications WHERE bdc_id = $1 AND channel = 'webhook'",
      [bdcId],
    );
    expect(row).toEqual({ status: 'sent', attempts: 2 });
  } finally {
    server.close();
  }
}, 120_000);
