import { setContact } from '../../client/notices';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { receiverPerFile } from '../support/webhook-receiver';

// Issue 19, measured on main as an attacker: an éditeur set its webhook to an internal address, and
// GET /bdcs/{id}/notifications told it what answered there ("the webhook answered 404", "fetch
// failed"), twelve times: a port scanner of the ASP's network. Now a webhook is https to a public
// address, checked when it is saved and again when it is delivered. This file runs WITHOUT any
// allowance (WEBHOOK_ALLOW_HTTP_HOSTS empty): the loopback listener below stands for an internal service
// and counts every connection the engine opens to it — none, whatever the éditeur tries.
const internal = receiverPerFile();
const h = harnessPerFile({ api: true });

const put = (body: Record<string, unknown>) =>
  h.api.call('PUT', '/contacts/editeur/editeur-acme', { token: h.api.tokens.acme, body });
const SECRET = 'whsec_acme_0123456789abcdef';
/** a public address, written as an address: this machine resolves no public name */
const PUBLIC = 'https://93.184.216.34/sons';

test('saved: every internal target is refused naming the field, nothing is connected to', async () => {
  const p = internal.port;
  const refusedAs: [string, string][] = [
    [`http://127.0.0.1:${p}/hook`, 'webhook_https_required'],
    [`http://93.184.216.34/sons`, 'webhook_https_required'],
    [`https://127.0.0.1:${p}/hook`, 'webhook_forbidden_address'],
    [`https://[::1]:${p}/hook`, 'webhook_forbidden_address'],
    [`https://localhost:${p}/hook`, 'webhook_forbidden_address'],
    [`https://[::ffff:127.0.0.1]:${p}/hook`, 'webhook_forbidden_address'],
    [`https://2130706433:${p}/hook`, 'webhook_forbidden_address'],
    [`https://0.0.0.0:${p}/hook`, 'webhook_forbidden_address'],
    ['https://169.254.169.254/latest/meta-data/iam/security-credentials/', 'webhook_forbidden_address'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'webhook_forbidden_address'],
    ['https://100.100.100.200/latest/meta-data/', 'webhook_forbidden_address'],
    ['https://10.0.0.7/admin', 'webhook_forbidden_address'],
    ['https://172.16.3.4/', 'webhook_forbidden_address'],
    ['https://192.168.1.1/', 'webhook_forbidden_address'],
    ['https://[fe80::1]/', 'webhook_forbidden_address'],
    ['https://224.0.0.1/', 'webhook_forbidden_address'],
    ['https://[2002:7f00:1::]/', 'webhook_forbidden_address'],
    ['https://nowhere.invalid/hook', 'webhook_forbidden_address'],
    ['https://user:password@93.184.216.34/sons', 'webhook_invalid_url'],
  ];
  for (const [webhookUrl, code] of refusedAs) {
    const answer = await put({ emails: [], webhookUrl, webhookSecret: SECRET });
    expect({ webhookUrl, status: answer.status, refusal: answer.body.refusals?.[0] }).toEqual({
      webhookUrl,
      status: 422,
      refusal: expect.objectContaining({ code, path: 'webhookUrl' }),
    });
    // what the engine's resolver found is not told: no map of the network
    expect(JSON.stringify(answer.body)).not.toMatch(/loopback|private|linkLocal|127\.0\.0\.1 is/);
  }
  expect(internal.connections).toBe(0);
  // a public https address is kept; a webhook without a secret is not (unsigned)
  expect((await put({ emails: [], webhookUrl: PUBLIC })).body.refusals[0]).toMatchObject({
    code: 'webhook_secret_required',
    path: 'webhookSecret',
  });
  expect((await put({ emails: [], webhookUrl: PUBLIC, webhookSecret: SECRET })).body).toEqual({
    party: 'editeur',
    partyId: 'editeur-acme',
    emails: [],
    webhookUrl: PUBLIC,
    webhookSigned: true,
  });
});

test('delivered: a webhook that points inside by now is refused at delivery, never retried, nothing connected; the éditeur reads a generic message, operators the detail', async () => {
  const engine = await h.engine();
  await setContact(engine, {
    party: 'editeur',
    partyId: 'editeur-acme',
    emails: [],
    webhookUrl: PUBLIC,
    webhookSecret: SECRET,
  });
  // the name resolved to a public address when it was saved, and to loopback since (DNS rebinding);
  // or a contact kept before this check existed: the database holds an internal target
  await engine.sql.query("UPDATE contacts SET webhook_url = $1 WHERE party = 'editeur' AND party_id = 'editeur-acme'", [
    `https://localhost:${internal.port}/hook`,
  ]);
  const { bdcId } = await h.register();
  const closing = (await h.waitForStatus(bdcId, 'awaiting_va')).deadlines.find((d) => d.name === 'closing')!;
  await h.sleepPast(closing.reminders![0]!.at);
  const row = await eventually(
    async () => {
      const [r] = await engine.sql.query<{ status: string; attempts: number; last_error: string }>(
        "SELECT status, attempts, last_error FROM notifications WHERE bdc_id = $1 AND channel = 'webhook'",
        [bdcId],
      );
      return r?.status === 'failed' && r;
    },
    { what: 'the webhook refused at delivery' },
  );
  // once: a refused address is not tried again twelve times
  expect(row.attempts).toBe(1);
  expect(row.last_error).toMatch(/^refused: localhost is (127\.0\.0\.1|::1), a loopback address/);
  expect(internal.connections).toBe(0);

  const path = `/bdcs/${encodeURIComponent(bdcId)}/notifications`;
  const operators = await h.api.call('GET', path, { token: h.api.tokens.operator });
  expect(operators.body.notifications).toEqual([
    expect.objectContaining({ channel: 'webhook', status: 'failed', lastError: row.last_error }),
  ]);
  const editeur = await h.api.call('GET', path, { token: h.api.tokens.acme });
  expect(editeur.body.notifications).toEqual([
    expect.objectContaining({
      channel: 'webhook',
      status: 'failed',
      lastError: 'non remis ; abandonné — vérifiez l’adresse, ou contactez l’ASP',
    }),
  ]);
  expect(JSON.stringify(editeur.body)).not.toMatch(/loopback|127\.0\.0\.1|::1|refused/);
  const english = await h.api.call('GET', path, { token: h.api.tokens.acme, headers: { 'accept-language': 'en' } });
  expect(english.body.notifications[0].lastError).toBe('not delivered; given up — check the address, or ask the ASP');
});
