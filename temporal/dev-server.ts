import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type pino from 'pino';
import { boundToThisProcess } from '../config/processes';

export interface DevServer {
  address: string;
  uiUrl: string;
  pid: number;
  /** settles when the server's process ends, stopped or not (its exit code; null for a signal) */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Where the dev server's Web UI asks admins' browsers to decode payloads: the console's codec endpoint
 * (console/codec.ts), as the browser reaches the API — on 127.0.0.1 when it listens on every address.
 * An API on a port chosen at start-up (API_PORT=0) has no address yet: the UI then shows payloads sealed.
 */
export function consoleCodecEndpoint(config: { API_HOST: string; API_PORT: number }): string | undefined {
  if (!config.API_PORT) return undefined;
  const host = ['0.0.0.0', '::', '[::]'].includes(config.API_HOST) ? '127.0.0.1' : config.API_HOST;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.API_PORT}/console/codec`;
}

/**
 * Starts `temporal server start-dev` persisted to DATA_DIR/temporal.db, so that a second start finds
 * the earlier workflows (or in memory, for benchmarks), and waits until it answers. Its life is bound to ours: the kernel sends it
 * SIGTERM when this process dies, however it dies (SIGKILL, OOM) — and a server left by an engine
 * started before that (its pid in DATA_DIR/temporal.pid) is stopped before a new one starts.
 */
export async function startDevServer(opts: {
  cli: string;
  dataDir: string;
  port: number;
  uiPort: number;
  logger: pino.Logger;
  headless?: boolean;
  inMemory?: boolean;
  /** the codec endpoint the Web UI decodes payloads with (the console's, for admins) */
  uiCodecEndpoint?: string;
}): Promise<DevServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  // a data directory made before this engine kept its files private
  fs.chmodSync(opts.dataDir, 0o700);
  if (fs.existsSync(path.join(opts.dataDir, 'temporal.db')))
    fs.chmodSync(path.join(opts.dataDir, 'temporal.db'), 0o600);
  const db = path.join(opts.dataDir, 'temporal.db');
  const pidFile = path.join(opts.dataDir, 'temporal.pid');
  await stopOrphan(pidFile, db, opts.logger);
  const address = `127.0.0.1:${opts.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    ...(!opts.headless && opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
    ...(opts.inMemory ? [] : ['--db-filename', db]),
    '--log-level',
    'warn',
  ];
  const [command, argv] = boundToThisProcess(opts.cli, args, 'SIGTERM');
  const child: ChildProcess = spawn(command, argv, {
    // its own process group: a terminal's Ctrl-C reaches only us, and we stop it after the worker
    stdio: ['ignore', process.stderr, 'inherit'],
    detached: true,
  });
  fs.writeFileSync(pidFile, String(child.pid), { mode: 0o600 });
  const killOnExit = () => child.exitCode === null && child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const early = exited.then((code) => {
    throw new Error(
      `the Temporal dev server exited with code ${code} before it was ready (is port ${opts.port} or ${opts.uiPort} taken?)`,
    );
  });
  await Promise.race([waitUntilServing(address), early]);
  early.catch(() => undefined);
  opts.logger.info({ address, pid: child.pid }, 'Temporal dev server ready');
  return {
    address,
    // the address it listens on: the same site as the console on 127.0.0.1, whose session cookie the UI's
    // decode requests carry (a UI opened as localhost is another site, and decodes nothing)
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    pid: child.pid!,
    exited,
    async stop() {
      killOnExit();
      await exited;
      process.off('exit', killOnExit);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

/**
 * A dev server an earlier engine left running on this data (its pid recorded beside it, and that pid
 * still a Temporal server on the same database file — never another process that reused the pid).
 */
async function stopOrphan(pidFile: string, db: string, logger: pino.Logger): Promise<void> {
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : NaN;
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = (() => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return [];
    }
  })();
  if (!cmdline.includes('start-dev') || !cmdline.includes(db)) return;
  logger.warn({ pid }, 'stopping the Temporal dev server an earlier engine left running');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
  if (fs.existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
}

async function waitUntilServing(address: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      // a channel of its own each time: gRPC's shared subchannels would wait out the backoff of earlier
      // failed attempts (a server restarted on its port answers, and nobody would ask it for a minute)
      const connection = await Connection.connect({
        address,
        connectTimeout: 1_000,
        channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
      });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > until)
        throw new Error(`Temporal at ${address} did not answer within ${timeoutMs / 1000} s: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
