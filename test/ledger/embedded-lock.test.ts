import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseBusyError, openPglite } from '../../db/pglite';
import { eventually } from '../support/eventually';

const fresh = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-pglite-')), 'ledger');

test('the embedded ledger is owned by one process: another is refused while the owner lives', async () => {
  const dir = fresh();
  const owner = await openPglite(dir);
  await expect(openPglite(dir)).rejects.toThrow(DatabaseBusyError);
  await expect(openPglite(dir)).rejects.toThrow(`the embedded ledger ${dir} is in use by another process`);
  await owner.close();
  expect(fs.existsSync(`${dir}.lock`)).toBe(false);
  const next = await openPglite(dir);
  expect(await next.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  await next.close();
});

test('an owner killed outright (its pid free for another program) leaves a lock that is taken over', async () => {
  const dir = fresh();
  // a process that takes the lock, then is SIGKILLed: nothing of it remains to release it
  fs.mkdirSync(dir, { recursive: true });
  const owner = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(require.resolve('proper-lockfile'))}).lock(${JSON.stringify(dir)}, { lockfilePath: ${JSON.stringify(`${dir}.lock`)}, stale: 10000, update: 5000 }).then(() => console.log('locked'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => owner.stdout!.once('data', resolve));
  owner.kill('SIGKILL');
  await new Promise((resolve) => owner.once('exit', resolve));
  // refused while fresh, taken over once stale — whatever runs under the dead owner's pid now
  const taken = await eventually(() => openPglite(dir), { budgetMs: 30_000, everyMs: 1_000 });
  expect(await taken.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  await taken.close();
}, 60_000);
