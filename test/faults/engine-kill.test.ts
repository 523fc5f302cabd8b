import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pLimit from 'p-limit';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { shippedCampaigns } from '../../domain/campaigns';
import { retentionDays } from '../../temporal/retention';
import { freePort } from '../../scripts/free-port';
import { writeExtraction } from '../../scripts/samples/finess-extraction';
import { ordonnateursOverApi } from '../../scripts/ordonnateurs';
import { enrolOverApi } from '../../scripts/samples/enrolment-over-api';
import { eventually } from '../support/eventually';

// Issue 13, D2 and D15: `npm start`'s engine (dist/main/engine.js, built by npm test) killed outright
// takes its Temporal dev server with it, and starts again on the same data; its files are private.
const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-kill-')), 'data');

let ports: { temporal: number; ui: number; api: number; identity: number };
const children: ChildProcess[] = [];
beforeAll(async () => {
  ports = { temporal: await freePort(), ui: await freePort(), api: await freePort(), identity: await freePort() };
});
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

function startEngine(): ChildProcess {
  // the embedded defaults: no Temporal address, no database URL
  const { TEMPORAL_ADDRESS: _t, DATABASE_URL: _d, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(root, 'dist', 'main', 'engine.js')], {
    env: {
      ...env,
      DATA_DIR: dataDir,
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      API_PORT: String(ports.api),
      OIDC_LOCAL_PORT: String(ports.identity),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}
const ready = (budgetMs = 120_000) =>
  eventually(
    () =>
      fetch(`http://127.0.0.1:${ports.api}/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    { budgetMs, everyMs: 250, what: 'the engine ready' },
  );
const alive = (pid: number) =>
  fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');

test('SIGKILL of the engine: its dev server dies with it, and the engine starts again on the same data', async () => {
  const first = startEngine();
  await ready();
  const serverPid = Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
  expect(alive(serverPid)).toBe(true);

  // its data is for its user alone; the namespace keeps a closed BDC's history 90 days
  expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(dataDir, 'temporal.db')).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.join(dataDir, 'dev-credentials.json')).mode & 0o777).toBe(0o600);
  // PGlite keeps its directory 0750, as PostgreSQL does: nothing for others, and its parent is 0700
  expect(fs.statSync(path.join(dataDir, 'ledger')).mode & 0o007).toBe(0);
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
  expect(await retentionDays(connection, 'default')).toBe(90);
  await connection.close();

  first.kill('SIGKILL');
  await eventually(() => !alive(serverPid), { budgetMs: 30_000 });
  const started = Date.now();
  const second = startEngine();
  await ready();
  process.stdout.write(`[measure] engine up again ${((Date.now() - started) / 1000).toFixed(1)} s after a SIGKILL\n`);
  second.kill('SIGTERM');
  await new Promise((r) => second.once('exit', r));
}, 300_000);

test('SIGTERM while Temporal does not answer yet: the process stops at once, not after its retries', async () => {
  // found by the drill: an engine waiting for a Temporal server that never came back ignored SIGTERM
  const { DATABASE_URL: _d, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(root, 'dist', 'main', 'worker.js')], {
    env: {
      ...env,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sons-term-')),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await eventually(() => log.includes('Temporal does not answer yet'), { budgetMs: 60_000 });
  child.kill('SIGTERM');
  // without the fix it retries Temporal for ever
  await eventually(() => child.exitCode !== null, { budgetMs: 20_000, what: 'the worker stopping on SIGTERM' });
  expect(child.exitCode).toBe(0);
});

test('its dev server SIGKILLed mid-load, twice: the engine starts it again on its data and serves within 30 s; nothing registered is lost, the ledger is right to the cent', async () => {
  const engine = startEngine();
  await ready();
  const api = `http://127.0.0.1:${ports.api}`;
  const tokens = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-credentials.json'), 'utf8')) as Record<
    string,
    string
  >;
  /** a request sent again, the same, while the engine answers 503 or not at all (as a careful client does) */
  const call = async (method: string, p: string, body?: unknown, token = tokens.operator!) => {
    // a budget, so that an engine that never serves again fails the test rather than hold it
    for (const until = Date.now() + 120_000; ;) {
      if (Date.now() > until) throw new Error(`${method} ${p}: no answer but 503 within 120 s`);
      const response = await fetch(`${api}${p}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch(() => undefined);
      if (response && response.status !== 503 && response.status !== 429) {
        const text = await response.text();
        if (response.status >= 500) throw new Error(`${method} ${p}: ${response.status} ${text}`);
        return { status: response.status, body: text ? JSON.parse(text) : {} };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const BDCS = 24;
  const today = parisCivilDate(new Date());
  const file = path.join(path.dirname(dataDir), 'extraction.csv');
  const ogs = writeExtraction(file, {
    date: today,
    ogs: Array.from({ length: BDCS }, () => ({ eligible: 3 })),
    seed: 7,
  });
  const upload = await fetch(`${api}/finess/extractions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'text/csv' },
    body: fs.readFileSync(file),
  });
  expect(upload.status).toBe(201);
  const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;
  await call('POST', '/campaigns', {
    ...ms1,
    finessExtraction: undefined,
    id: 'kill',
    label: 'Kill',
    openingDate: addCalendarDays(today, -30),
    orderDeadline: addCalendarDays(today, 30),
    closingDate: addCalendarDays(today, 200),
    sources: ['test'],
  });
  await call('POST', '/solutions/kill-dui/referencement/decision', {
    eventId: 'kill-granted',
    decision: 'granted',
    decidedOn: today,
    editeurId: 'editeur-demo',
  });

  // the load: BDCs registered three at a time, before, during and after the kills
  let registered = 0;
  const limit = pLimit(3);
  const load = Promise.all(
    ogs.map((og, i) =>
      limit(async () => {
        const answer = await call('POST', '/bdcs', {
          editeurId: 'editeur-demo',
          reference: `K-${i}`,
          campaignId: 'kill',
          solutionId: 'kill-dui',
          ogFiness: og.og,
          essms: og.essms.slice(0, 2),
          orderDate: today,
          eventId: `kill-reg-${i}`,
        });
        registered++;
        return answer.body.bdcId as string;
      }),
    ),
  );
  const recoveries: number[] = [];
  for (const after of [4, 12]) {
    await eventually(() => registered >= after, { budgetMs: 120_000 });
    const serverPid = Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    process.kill(serverPid, 'SIGKILL');
    const killed = Date.now();
    await eventually(() => !alive(serverPid), { budgetMs: 10_000 });
    // the engine does not ready itself before its worker polls the new server
    await ready(30_000);
    recoveries.push((Date.now() - killed) / 1000);
    expect(engine.exitCode).toBeNull();
    expect((await fetch(`${api}/health`)).status).toBe(200);
  }
  process.stdout.write(
    `[measure] serving again ${recoveries.map((s) => s.toFixed(1)).join(' s, ')} s after each kill of the dev server\n`,
  );
  const bdcIds = await load;
  expect(new Set(bdcIds).size).toBe(BDCS);
  // the advances are money decided by four eyes, for an éditeur enrolled: it enrols, then two ordonnateurs validate them over the API
  await enrolOverApi(
    {
      url: api,
      editeurId: 'editeur-demo',
      editeurToken: tokens.editeur!,
      editeurPerson: 'editeur-demo/demo-editeur',
      ordonnateurToken: tokens.ordonnateur!,
    },
    'engine-kill',
  );
  const onDuty = ordonnateursOverApi(api, [tokens.ordonnateur!, tokens.ordonnateur2!]);

  // every BDC registered before and during the kills is there, its advance ordered once, to the cent
  await eventually(
    async () => {
      for (const id of bdcIds)
        if ((await call('GET', `/bdcs/${encodeURIComponent(id)}`)).body.status !== 'awaiting_va') return false;
      return true;
    },
    { budgetMs: 120_000, what: 'every BDC awaiting its VA' },
  );
  const listed = await call('GET', '/bdcs?campaign=kill&pageSize=100');
  expect(listed.body.bdcs).toHaveLength(BDCS);
  const reconciliation = await call('GET', '/ledger/reconciliation', undefined, tokens.admin);
  expect(reconciliation.body.differences).toEqual([]);
  const summary = await call('GET', '/reports/summary');
  const advanced = (summary.body.lines as { campaign: string; advancedCents: number }[])
    .filter((l) => l.campaign === 'kill')
    .reduce((n, l) => n + l.advancedCents, 0);
  // 2 ESSMS of an OG of 3 (tranche B): a ceiling of 5,840.00 €, an advance of 1,752.00 €
  expect(advanced).toBe(BDCS * 175_200);
  await onDuty.stop();

  engine.kill('SIGTERM');
  await new Promise((r) => engine.once('exit', r));
}, 600_000);
