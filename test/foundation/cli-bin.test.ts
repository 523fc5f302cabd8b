import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Issue 22, item 12: the README's `npx sons …` works from a fresh clone, and `npm run demo` never
// rebuilds dist/ under the engine `npm start` runs from it.
const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

test("the CLI's bin is a file git keeps with its run bit: a fresh clone runs it, built files need none", () => {
  const bin = pkg.bin.sons!;
  expect(bin.startsWith('dist/')).toBe(false);
  // what a clone gets is what git records: mode 100755
  expect(execFileSync('git', ['ls-files', '-s', bin], { cwd: root, encoding: 'utf8' })).toMatch(/^100755 /);
  expect(fs.readFileSync(path.join(root, bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

test('`npx sons` runs the compiled CLI (built by npm start or npm run build)', () => {
  const run = spawnSync('npx', ['--no-install', 'sons', 'nonsense-command'], { cwd: root, encoding: 'utf8' });
  // the CLI's own answer to a command it does not know (usage), not the shell's « Permission denied » (126)
  expect(run.stderr).not.toMatch(/Permission denied/);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/usage: sons/);
});

test('before any build, the shim says what to do instead of a stack trace', () => {
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-clone-'));
  fs.mkdirSync(path.join(clone, 'bin'));
  fs.copyFileSync(path.join(root, pkg.bin.sons!), path.join(clone, 'bin', 'sons'));
  fs.chmodSync(path.join(clone, 'bin', 'sons'), 0o755);
  const run = spawnSync(path.join(clone, 'bin', 'sons'), ['report'], { encoding: 'utf8' });
  expect(run.status).toBe(3);
  expect(run.stderr).toContain('npm start');
});

test('`npm run demo` runs what npm start built and never rebuilds (nor removes) dist/', () => {
  const demo = pkg.scripts.demo!;
  expect(demo).not.toMatch(/npm run build|rm -rf|tsc/);
  // without a build, it says so and builds nothing
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-clone-'));
  const run = spawnSync('sh', ['-c', demo], { cwd: clone, encoding: 'utf8' });
  expect(run.status).toBe(3);
  expect(run.stderr).toContain('npm start');
  expect(fs.existsSync(path.join(clone, 'dist'))).toBe(false);
});
