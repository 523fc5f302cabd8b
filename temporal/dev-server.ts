import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type pino from 'pino';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` persisted to DATA_DIR/temporal.db, so that a second start finds
 * the earlier workflows, and waits until it answers.
 */
export async function startDevServer(opts: { cli: string; dataDir: string; port: number; uiPort: number; logger: pino.Logger }): Promise<DevServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const address = `127.0.0.1:${opts.port}`;
  const child: ChildProcess = spawn(
    opts.cli,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--ui-port', String(opts.uiPort), '--db-filename', path.join(opts.dataDir, 'temporal.db'), '--log-level', 'warn'],
    // its own process group: a terminal's Ctrl-C reaches only us, and we stop it after the worker
    { stdio: ['ignore', 'inherit', 'inherit'], detached: true },
  );
  const killOnExit = () => child.exitCode === null && child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const early = exited.then((code) => {
    throw new Error(`the Temporal dev server exited with code ${code} before it was ready (is port ${opts.port} or ${opts.uiPort} taken?)`);
  });
  await Promise.race([waitUntilServing(address), early]);
  early.catch(() => undefined);
  opts.logger.info({ address, pid: child.pid }, 'Temporal dev server ready');
  return {
    address,
    uiUrl: `http://localhost:${opts.uiPort}`,
    async stop() {
      killOnExit();
      await exited;
      process.off('exit', killOnExit);
    },
  };
}

async function waitUntilServing(address: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > until) throw new Error(`Temporal at ${address} did not answer within ${timeoutMs / 1000} s: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
