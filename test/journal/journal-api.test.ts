import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNoticeActivities } from '../../activities/notices';
import { setContact } from '../../client/notices';
import { JournalSigner, newJournalKey } from '../../client/journal-keys';
import { Notifications } from '../../db/notifications';
import { consoleSession } from '../support/console-session';
import { people } from '../support/people';
import { postgresBackend } from '../support/database';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

/**
 * The journal as admins and auditors reach it, with the worker's keeper running as in production: a
 * checkpoint asked through the API is signed by the worker and emailed to the auditor (a real SMTP
 * server); `sons journal verify` and `sons journal export` (the built CLI) against the API; the export
 * checked by the standalone verifier; a tampering raised by the verification, the CLI's exit code,
 * the operators' alert and digest, and /metrics; a BDC's page says up to when its journal was verified.
 */
const auditor = 'controle-interne@asp.example';
const signer = new JournalSigner({ current: 'k2', keys: { k1: newJournalKey(), k2: newJournalKey() } });
const h = harnessPerFile({
  database: postgresBackend(),
  api: true,
  mail: true,
  journal: { signer, recipients: [auditor] },
});
const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'sons.js');
const verifier = path.resolve(__dirname, '..', '..', 'scripts', 'journal-verify.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-journal-api-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(command, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 24 }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
const sons = (...args: string[]) =>
  run('node', [cli, ...args], { LANG: 'fr_FR.UTF-8', SONS_API_URL: h.api.url, SONS_TOKEN: h.api.tokens.admin });

test('an admin asks the worker for a checkpoint: signed with the current key, emailed to the auditor with its line', async () => {
  const { call, tokens } = h.api;
  await h.register();
  expect((await call('GET', '/journal', { token: tokens.operator })).status).toBe(403);
  const asked = await call('POST', '/journal/checkpoints', { token: tokens.admin });
  expect(asked.status).toBe(202);
  const done = await eventually(async () => {
    const r = await call('GET', `/journal/checkpoints/requests/${asked.body.id}`, { token: tokens.admin });
    return r.body.done && r.body;
  });
  const { checkpoints } = (await call('GET', '/journal/checkpoints', { token: tokens.admin })).body;
  const checkpoint = checkpoints.find((c: { n: number }) => c.n === done.checkpointN);
  expect(checkpoint).toMatchObject({ keyId: 'k2', requestedBy: 'admin-1' });
  const mail = await eventually(async () =>
    (await h.mailbox.messages()).find(
      (m) => m.to.includes(auditor) && m.subject.includes(`point de contrôle n° ${checkpoint.n} `),
    ),
  );
  expect(mail.text).toContain(checkpoint.hash);
  expect(mail.text).toContain(`"statement":${JSON.stringify(checkpoint.statement)}`);
  const keys = (await call('GET', '/journal/keys', { token: tokens.admin })).body;
  expect(keys.keys).toEqual(signer.publicKeys());
});

test('sons journal verify, export and the standalone verifier accept the genuine journal; a tampering is raised everywhere, naming the entry', async () => {
  const { call, tokens } = h.api;
  const engine = await h.engine();
  await setContact(engine, { party: 'operators', partyId: 'asp', emails: ['pilotage-sons@asp.example'] });
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  expect((await sons('journal', 'checkpoint')).code).toBe(0);

  const ok = await sons('journal', 'verify');
  expect(ok).toMatchObject({ code: 0 });
  expect(ok.stdout).toMatch(/^journal verified: entries 1–\d+ chained, \d+ checkpoint\(s\)/);
  const keysFile = path.join(dir, 'keys.json');
  expect((await sons('journal', 'keys', '--out', keysFile)).code).toBe(0);
  const exported = path.join(dir, 'bdc.jsonl');
  expect((await sons('journal', 'export', '--bdc', bdcId, '--out', exported)).code).toBe(0);
  const standalone = await run(process.execPath, [verifier, exported, '--keys', keysFile]);
  expect(standalone.code).toBe(0);
  expect(standalone.stdout).toMatch(/^OK: \d+ entries and \d+ links chained/m);

  // the BDC's page says up to when its journal was verified
  const session = await consoleSession(h.api.url, people.operator);
  const page = await (await session.get(`/console/bdc/${encodeURIComponent(bdcId)}`)).text();
  expect(page).toMatch(/Journal vérifié jusqu’au \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);

  const advance = `${bdcId}:advance`;
  const [entry] = await h.ledger.sql.query<{ seq: number }>(
    "SELECT seq FROM journal WHERE kind = 'ledger.payment_order' AND subject = $1",
    [advance],
  );
  const seq = Number(entry!.seq);
  await h.ledger.sql.query('UPDATE payment_orders SET amount_cents = amount_cents * 2 WHERE idempotency_key = $1', [
    advance,
  ]);
  try {
    const caught = await sons('journal', 'verify');
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(`the first entry that does not match: ${seq}`);
    expect(caught.stdout).toContain('amount_cents: 175200 → 350400');
    // the operators are alerted at once, the digest and the metrics say so while it lasts
    await eventually(async () =>
      (await h.mailbox.messages()).find((m) =>
        m.subject.startsWith(`SONS — ALERTE journal : écart détecté à l’écriture n° ${seq}`),
      ),
    );
    const metrics = await call('GET', '/metrics', { token: tokens.admin });
    expect(metrics.body).toMatch(/^sons_journal\{figure="mismatch"\} 1$/m);
    const day = new Date().toISOString().slice(0, 10);
    // the daily notices' activity, as the worker runs it at 09:00 Paris
    const notices = createNoticeActivities(h.ledger.sql, async () => engine.campaigns);
    await new MockActivityEnvironment().run(notices.queueDailyNotices, { day, at: new Date().toISOString() });
    const digest = (await new Notifications(h.ledger.sql).recent(50)).find(
      (n) => n.notificationId === `digest:${day}`,
    )!;
    expect(digest.subject).toMatch(/^SONS — ALERTE journal — à traiter le/);
    expect(digest.body).toContain(`premier écart à l’écriture n° ${seq}`);
    const bdcPage = await (await session.get(`/console/bdc/${encodeURIComponent(bdcId)}`)).text();
    expect(bdcPage).toContain(`Journal : écart détecté le`);
  } finally {
    await h.ledger.sql.query('UPDATE payment_orders SET amount_cents = amount_cents / 2 WHERE idempotency_key = $1', [
      advance,
    ]);
  }
  expect((await sons('journal', 'verify')).code).toBe(0);
  expect((await call('GET', '/metrics', { token: tokens.admin })).body).toMatch(
    /^sons_journal\{figure="mismatch"\} 0$/m,
  );
});

test("the console's journal page shows the journal and asks the worker for a verification, confirmed first", async () => {
  const session = await consoleSession(h.api.url, people.admin);
  const page = await (await session.get('/console/journal')).text();
  expect(page).toContain('Journal infalsifiable');
  expect(page).toMatch(/Journal vérifié jusqu’à l’écriture n° \d+/);
  const confirm = await (await session.post('/console/journal/verification', {}, '/console/journal')).text();
  expect(confirm).toContain('Confirmez-vous ?');
  const before = (await h.api.call('GET', '/journal/verifications', { token: h.api.tokens.admin })).body.verifications
    .length;
  const done = await session.post('/console/journal/verification', { etape: 'confirmer' }, '/console/journal');
  expect(done.status).toBe(303);
  await eventually(async () => {
    const { verifications } = (await h.api.call('GET', '/journal/verifications', { token: h.api.tokens.admin })).body;
    return verifications.length > before && verifications[0].status === 'ok';
  });
  // an operator does not reach it
  const operator = await consoleSession(h.api.url, people.operator);
  expect((await operator.get('/console/journal')).status).toBe(403);
});
