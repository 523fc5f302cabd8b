import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { retentionDays } from '../../temporal/retention';
import { freePort } from '../../scripts/free-port';
import { eventually } from '../support/eventually';

// Issue 13, D2 and D15: `npm start`'s engine (dist/main/engine.js, built by npm test) killed outright
// takes its Temporal dev server with it, and starts again on the same data; its files are private.
const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-kill-')), 'data');

let ports: { temporal: number; ui: number; api: number };
const children: ChildProcess[] = [];
beforeAll(async () => {
  ports = { temporal: await freePort(), ui: await freePort(), api: await freePort() };
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
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}
const ready = () =>
  eventually(
    () =>
      fetch(`http://127.0.0.1:${ports.api}/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    { budgetMs: 120_000, everyMs: 250 },
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
