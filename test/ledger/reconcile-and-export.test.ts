import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { reconcileLedger } from '../../client/reconciliation';
import { bdcMessages } from '../../contract/bdc';
import { event, validVa } from '../support/bdc-fixtures';
import { postgresBackend } from '../support/database';
import { enrolInDatabase } from '../../scripts/samples/enrolment';
import { startHarness, type Harness } from '../support/harness';

// On the dev server (real visibility) with the ledger on PostgreSQL; the CLI reaches it through the API.
const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'sons.js');

let h: Harness;
let completed: string, cancelled: string, waiting: string;
beforeAll(async () => {
  h = await startHarness({ server: 'dev', database: postgresBackend(), api: true });
  const a = await h.register();
  await h.waitForStatus(a.bdcId, 'awaiting_va');
  await h.send(a.bdcId, bdcMessages.vaSubmitted, validVa(a.request, new Date().toISOString(), 584_000));
  completed = (await h.result(a.bdcId)).bdcId;
  const b = await h.register();
  await h.waitForStatus(b.bdcId, 'awaiting_va');
  await h.send(b.bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'test' });
  cancelled = (await h.waitForStatus(b.bdcId, 'reimbursement_due')).bdcId;
  waiting = (await h.waitForStatus((await h.register()).bdcId, 'awaiting_va')).bdcId;
});
afterAll(() => h?.close());

const sons = (args: string[]) =>
  run('node', [cli, ...args], {
    env: { ...process.env, SONS_API_URL: h.api.url, SONS_TOKEN: h.api.tokens.admin },
  }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );

test('a consistent ledger reconciles with no difference, through the CLI too', async () => {
  expect(await reconcileLedger(await h.engine())).toEqual({ bdcs: 3, differences: [] });
  const { code, stdout } = await sons(['ledger', 'reconcile']);
  expect(stdout).toBe('3 BDCs compared, 0 difference(s)\n');
  expect(code).toBe(0);
});

test('Temporal out of reach: the difference names what Temporal answered, and the money is still compared', async () => {
  // a server that answers nothing, with no retry of the SDK's own: what gRPC said must reach the operator
  const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
  const engine = await h.engine();
  try {
    const { bdcs, differences } = await reconcileLedger(
      { ...engine, client: new Client({ connection }) },
      { listing: { attempts: 2, pageDeadlineMs: 2_000 } },
    );
    expect(bdcs).toBe(3);
    expect(differences).toEqual([
      {
        bdcId: '*',
        kind: 'temporal_unavailable',
        what: expect.stringMatching(
          /^the running workflows could not be listed \(2 attempts, the last: 14 UNAVAILABLE: .+\)/,
        ),
      },
    ]);
  } finally {
    await connection.close();
  }
});

test('the CSV export lists every payment order in euros, columns fixed', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-export-')), 'orders.csv');
  expect((await sons(['ledger', 'export', '--out', out])).code).toBe(0);
  const lines = fs.readFileSync(out, 'utf8').split('\r\n');
  expect(lines[0]).toBe(
    'payment_order_id,issued_at,bdc_id,kind,amount_eur,editeur_id,og_finess,campaign_id,idempotency_key',
  );
  const rows = lines.slice(1, -1).map((l) => l.split(','));
  expect(rows.map((r) => [r[2], r[3], r[4]])).toEqual([
    [completed, 'advance', '1752.00'],
    [completed, 'balance', '4088.00'],
    [cancelled, 'advance', '1752.00'],
    [waiting, 'advance', '1752.00'],
  ]);
  expect(rows.every((r) => r[8] === `${r[2]}:${r[3]}`)).toBe(true);
});

test('a missing, a changed and an orphan record are each reported, and the CLI exits 1', async () => {
  await h.ledger.sql.query("DELETE FROM payment_orders WHERE bdc_id = $1 AND kind = 'balance'", [completed]);
  await h.ledger.sql.query('UPDATE reimbursement_demands SET amount_cents = 175000 WHERE bdc_id = $1', [cancelled]);
  await h.ledger.registerBdc({
    bdcId: 'bdc-ghost',
    editeurId: 'x',
    campaignId: 'vague1-ms1',
    ogFiness: '010003820',
    essms: ['250003530'],
    ceilingCents: 400_000,
  });
  await enrolInDatabase(h.ledger.sql, 'x');
  await h.ledger.issuePaymentOrder({
    idempotencyKey: 'bdc-ghost:advance',
    bdcId: 'bdc-ghost',
    kind: 'advance',
    amountCents: 120_000,
  });

  const { differences } = await reconcileLedger(await h.engine());
  expect(differences).toEqual(
    expect.arrayContaining([
      { bdcId: 'bdc-ghost', kind: 'orphan', what: 'ledger records for a BDC the record does not know' },
      { bdcId: cancelled, kind: 'amount_mismatch', what: 'reimbursement demanded: ledger 1750.00 €, BDC 1752.00 €' },
      { bdcId: completed, kind: 'missing', what: 'balance payment order of 4088.00 €' },
      { bdcId: 'bdc-ghost', kind: 'claim', what: 'ESSMS 250003530 claimed by a BDC the record does not know' },
    ]),
  );
  expect(differences).toHaveLength(4);
  const { code, stdout } = await sons(['ledger', 'reconcile', '--json']);
  expect(code).toBe(1);
  expect(JSON.parse(stdout)).toEqual({ bdcs: 3, differences });
});

test('an unknown command prints the usage and exits 2', async () => {
  const { code, stderr } = await sons(['ledger', 'burn']);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^usage:/);
});
