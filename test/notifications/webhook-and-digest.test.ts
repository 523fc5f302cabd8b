import { sealClearSecrets, setContact, startDailyNotices } from '../../client/notices';
import { Notifications } from '../../db/notifications';
import { secretOwner } from '../../notifications/secret-box';
import { SIGNATURE_HEADER, verifySignature } from '../../notifications/webhook';
import { DAILY_NOTICES_WORKFLOW_ID } from '../../contract/notices';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { receiverPerFile, type Received } from '../support/webhook-receiver';

// Issue 15: an éditeur's webhook, signed (HMAC) and retried with backoff under one idempotency key;
// the operators' daily digest at 09:00 Paris, by email through a real SMTP server.
// Issue 19: the secret is kept sealed and never dropped by omission; a redirect is never followed.
// The éditeur's system is a loopback listener: the harness allows plain HTTP to exactly its host:port
// (WEBHOOK_ALLOW_HTTP_HOSTS), and to nothing else — the "internal" listener is not allowed.
const answers = new Map<string, (r: Received) => { status: number; headers?: Record<string, string> }>();
const editeurSystem = receiverPerFile((r) => (answers.get(r.path) ?? (() => ({ status: 200 })))(r));
const internal = receiverPerFile();
const h = harnessPerFile(() => ({ mail: true, api: true, webhookAllowHttpHosts: [editeurSystem.hostPort] }));
const received = (path: string) => editeurSystem.received.filter((r) => r.path === path);

/** A reminder of a new BDC of the éditeur, due now: its webhook notification queued. */
async function remindedBdc(editeurId: string) {
  const { bdcId } = await h.register({ request: { editeurId } });
  const closing = (await h.waitForStatus(bdcId, 'awaiting_va')).deadlines.find((d) => d.name === 'closing')!;
  await h.sleepPast(closing.reminders![0]!.at);
  return { bdcId, closing };
}

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
  // the éditeur's system is down the first time
  answers.set('/sons', () => ({ status: received('/sons').length === 1 ? 503 : 200 }));
  await setContact(await h.engine(), {
    party: 'editeur',
    partyId: 'editeur-hook',
    emails: [],
    webhookUrl: `${editeurSystem.url}/sons`,
    webhookSecret: secret,
  });
  const { bdcId, closing } = await remindedBdc('editeur-hook');
  await eventually(async () => received('/sons').length === 2, {
    budgetMs: 60_000,
    what: 'the webhook retried after its failure',
  });
  const [first, second] = received('/sons') as [Received, Received];
  const signatureOf = (r: Received) => r.headers[SIGNATURE_HEADER] as string;
  expect(first.headers['idempotency-key']).toBe(`reminder:${bdcId}:closing:${closing.reminders![0]!.at}`);
  expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
  for (const r of [first, second]) expect(verifySignature(secret, r.body, signatureOf(r))).toBe(true);
  expect(verifySignature('another secret', second.body, signatureOf(second))).toBe(false);
  expect(JSON.parse(second.body)).toMatchObject({
    kind: 'deadline_reminder',
    bdcId,
    deadline: 'closing',
    deadlineAt: closing.at,
    before: 'P30D',
  });
  const row = await eventually(async () => {
    const [r] = await (
      await h.engine()
    ).sql.query<{ status: string; attempts: number }>(
      "SELECT status, attempts FROM notifications WHERE bdc_id = $1 AND channel = 'webhook'",
      [bdcId],
    );
    return r?.status === 'sent' && r;
  });
  expect(row).toEqual({ status: 'sent', attempts: 2 });
}, 120_000);

test('issue 19: a PUT without the secret keeps it — the next delivery is still signed with it — and the database holds it sealed, never in clear', async () => {
  const secret = 'whsec_kept_across_puts_0123456789';
  const path = '/contacts/editeur/editeur-kept';
  const set = (body: Record<string, unknown>) => h.api.call('PUT', path, { token: h.api.tokens.operator, body });
  expect((await set({ emails: [], webhookUrl: `${editeurSystem.url}/kept`, webhookSecret: secret })).status).toBe(200);
  // the contact saved again, its addresses changed, no secret sent: the secret stays
  const again = await set({ emails: ['dsi@kept.example'], webhookUrl: `${editeurSystem.url}/kept` });
  expect(again.body).toMatchObject({ emails: ['dsi@kept.example'], webhookSigned: true });

  const sql = (await h.engine()).sql;
  const rows = await sql.query<Record<string, unknown>>(
    "SELECT * FROM contacts WHERE party = 'editeur' AND party_id = 'editeur-kept'",
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ webhook_secret: null, webhook_secret_key_id: 'local-test' });
  // in no column, as text or as bytes
  const asText = JSON.stringify(rows[0], (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
  );
  expect(asText).not.toContain(secret);
  expect(asText).not.toContain(Buffer.from(secret).toString('base64'));
  expect(Buffer.from(rows[0]!.webhook_secret_sealed as Uint8Array).length).toBe(12 + secret.length + 16);

  await remindedBdc('editeur-kept');
  const [delivered] = await eventually(async () => received('/kept').length > 0 && received('/kept'), {
    what: 'the reminder delivered',
  });
  expect(verifySignature(secret, delivered!.body, delivered!.headers[SIGNATURE_HEADER] as string)).toBe(true);
});

test('issue 19: a redirect is never followed — the internal address it names sees no connection; operators read why, the éditeur a generic message', async () => {
  answers.set('/redirect', () => ({
    status: 302,
    headers: { location: `${internal.url}/latest/meta-data/` },
  }));
  await setContact(await h.engine(), {
    party: 'editeur',
    partyId: 'editeur-acme',
    emails: [],
    webhookUrl: `${editeurSystem.url}/redirect`,
    webhookSecret: 'whsec_redirecting_0123456789',
  });
  const { bdcId } = await remindedBdc('editeur-acme');
  const sql = (await h.engine()).sql;
  const row = await eventually(async () => {
    const [r] = await sql.query<{ status: string; last_error: string | null }>(
      "SELECT status, last_error FROM notifications WHERE bdc_id = $1 AND channel = 'webhook'",
      [bdcId],
    );
    return r?.last_error ? r : undefined;
  });
  expect(row).toEqual({ status: 'pending', last_error: 'the webhook answered 302 (a redirect is not followed)' });
  expect(received('/redirect')).toHaveLength(1);
  expect(internal.connections).toBe(0);
  const path = `/bdcs/${encodeURIComponent(bdcId)}/notifications`;
  const operators = await h.api.call('GET', path, { token: h.api.tokens.operator });
  expect(operators.body.notifications[0].lastError).toBe(row.last_error);
  const editeur = await h.api.call('GET', path, { token: h.api.tokens.acme });
  expect(editeur.body.notifications[0]).toMatchObject({
    status: 'pending',
    lastError: 'pas encore remis ; nouvel essai plus tard',
  });
});

test('issue 19: a secret kept in clear before secrets were sealed is sealed at start, and still opens', async () => {
  const engine = await h.engine();
  const clear = 'whsec_saved_in_clear_long_ago_01';
  await engine.sql.query(
    "INSERT INTO contacts (party, party_id, emails, webhook_url, webhook_secret) VALUES ('editeur', 'editeur-legacy', '{}', $1, $2)",
    [`${editeurSystem.url}/legacy`, clear],
  );
  expect(await sealClearSecrets(engine)).toBe(1);
  const [row] = await engine.sql.query<{ webhook_secret: string | null; webhook_secret_key_id: string }>(
    "SELECT webhook_secret, webhook_secret_key_id FROM contacts WHERE party_id = 'editeur-legacy'",
  );
  expect(row).toEqual({ webhook_secret: null, webhook_secret_key_id: 'local-test' });
  const kept = await new Notifications(engine.sql).contact('editeur', 'editeur-legacy');
  expect(engine.webhooks!.secrets.open(kept!.webhookSecret!, secretOwner('editeur', 'editeur-legacy'))).toBe(clear);
  // bound to its contact: moved to another, it does not open
  expect(() => engine.webhooks!.secrets.open(kept!.webhookSecret!, secretOwner('editeur', 'editeur-acme'))).toThrow();
  expect(await sealClearSecrets(engine)).toBe(0);
});
