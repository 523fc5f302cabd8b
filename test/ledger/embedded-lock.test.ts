import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseBusyError, openPglite } from '../../db/pglite';

test('the embedded ledger is owned by one process: another is refused while the owner lives', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-pglite-')), 'ledger');
  const lock = `${dir}.lock`;
  const owner = await openPglite(dir);
  // a live process other than us holds it: our parent
  fs.writeFileSync(lock, String(process.ppid));
  await expect(openPglite(dir)).rejects.toThrow(DatabaseBusyError);
  await expect(openPglite(dir)).rejects.toThrow(`the embedded ledger ${dir} is in use by process ${process.ppid}`);
  fs.writeFileSync(lock, String(process.pid));
  await owner.close();
  expect(fs.existsSync(lock)).toBe(false);

  // a lock left by a dead process is taken over
  fs.writeFileSync(lock, '2147483646');
  const next = await openPglite(dir);
  expect(await next.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  await next.close();
});
