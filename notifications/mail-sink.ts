import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../config/paths';
import { boundToThisProcess } from '../config/processes';

/** aiosmtpd (PyPI, in the project's .tools/venv, installed by scripts/bootstrap.sh). */
export const aiosmtpdPython = () => {
  const python = path.join(projectRoot, '.tools', 'venv', 'bin', 'python');
  return fs.existsSync(python) ? python : undefined;
};

export interface MailSink {
  url: string;
  /** the Maildir the messages land in (new/ holds one file per message) */
  dir: string;
  stop(): Promise<void>;
}

/**
 * A real SMTP server that keeps every message it receives in a Maildir: the embedded default's
 * mailbox (npm start, the demo) and the tests'. Its life is bound to ours.
 */
export async function startMailSink(opts: { dir: string; port: number }): Promise<MailSink> {
  const python = aiosmtpdPython();
  if (!python) throw new Error('no .tools/venv: scripts/bootstrap.sh installs aiosmtpd there');
  fs.mkdirSync(path.dirname(opts.dir), { recursive: true, mode: 0o700 });
  // Python's Maildir makes its folders only when the mailbox does not exist yet
  for (const sub of ['new', 'cur', 'tmp']) fs.mkdirSync(path.join(opts.dir, sub), { recursive: true, mode: 0o700 });
  // the mailbox of an engine killed a moment ago may still hold the port while it dies: tried a few times
  for (let attempt = 1; ; attempt++) {
    const started = await launch(python, opts);
    if (started) return started;
    if (attempt === 20)
      throw new Error(
        `the mail sink could not listen on 127.0.0.1:${opts.port} (is the port taken? set SMTP_URL or MAIL_SINK_PORT)`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function launch(python: string, opts: { dir: string; port: number }): Promise<MailSink | undefined> {
  if (await answers(opts.port)) return undefined;
  const [command, args] = boundToThisProcess(
    python,
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${opts.port}`, '-c', 'aiosmtpd.handlers.Mailbox', opts.dir],
    'SIGTERM',
  );
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) return undefined;
    if (await answers(opts.port)) break;
    if (i > 200) {
      child.kill('SIGKILL');
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `smtp://127.0.0.1:${opts.port}`,
    dir: opts.dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Whether an SMTP server greets on the port (within a second). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The raw messages of a Maildir, oldest first. */
export function maildirMessages(dir: string): string[] {
  const folder = path.join(dir, 'new');
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .map((f) => path.join(folder, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)
    .map((f) => fs.readFileSync(f, 'utf8'));
}
