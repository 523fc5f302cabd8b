import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { tokensSchema } from '../../api/auth';
import { serveApi } from '../../scripts/local-engine';
import { harnessPerFile } from '../support/harness';

// Issue 19: `sons token new` makes tokens that expire; `sons token revoke` ends one without a restart.
const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'sons.js');
const h = harnessPerFile({ server: 'dev', api: true });

const sons = (args: string[], env: Record<string, string> = {}) =>
  run('node', [cli, ...args], { env: { ...process.env, LANG: 'en_GB.UTF-8', LC_ALL: '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );

test('a token made by sons token new expires; sons token revoke refuses it at its next request, without a restart', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-tokens-')), 'api-tokens.json');
  const made = await sons([
    'token',
    'new',
    '--role',
    'operator',
    '--name',
    'jdupont',
    '--days',
    '30',
    '--append',
    file,
    '--json',
  ]);
  expect(made.code).toBe(0);
  const { secret } = JSON.parse(made.stdout) as { secret: string };
  const [entry] = tokensSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const days = (Date.parse(entry!.expiresAt!) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(29.9);
  expect(days).toBeLessThanOrEqual(30);

  const { handle, close } = await serveApi(await h.engine(), { extraTokens: [entry!] });
  try {
    expect((await handle.call('GET', '/bdcs', { token: secret })).status).toBe(200);
    const revoked = await sons(['token', 'revoke', 'jdupont', '--reason', 'left the ASP'], {
      SONS_API_URL: handle.url,
      SONS_TOKEN: handle.tokens.admin,
    });
    expect([revoked.code, revoked.stdout]).toEqual([0, expect.stringContaining('token jdupont revoked')]);
    expect((await handle.call('GET', '/bdcs', { token: secret })).status).toBe(401);
    // an operator may not revoke: refused, and said so
    const refused = await sons(['token', 'revoke', 'acme-api', '--reason', 'x'], {
      SONS_API_URL: handle.url,
      SONS_TOKEN: handle.tokens.operator,
    });
    expect([refused.code, (await handle.call('GET', '/bdcs', { token: handle.tokens.acme })).status]).toEqual([3, 200]);
  } finally {
    await close();
  }
});
