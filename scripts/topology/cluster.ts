import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection, type TLSConfig } from '@temporalio/client';
import pg from 'pg';
import { newToken } from '../../api/auth';
import { newJournalKey } from '../../client/journal-keys';
import { projectRoot } from '../../config/paths';
import { boundToThisProcess } from '../../config/processes';
import { temporalCliPath } from '../../temporal/binaries';
import { newPayloadKey } from '../../temporal/payload-codec';
import { eventually } from '../eventually';
import { freePort } from '../free-port';

/**
 * The production topology, set up: PostgreSQL; Temporal's four services built from source, one
 * process each, on PostgreSQL with SQL visibility and mTLS (topology/temporal/production.yaml); the
 * namespace made by an admin's certificate; then the engine — its workers and its API, connecting
 * with the engine's certificate. `npm run test:topology` proves the topology on it, `npm run
 * bench:scale -- --topology` measures the engine on it.
 */

export const say = (line: string) => process.stderr.write(`[topology] ${line}\n`);
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child bound to our life: the kernel kills it when this process dies, however it dies. */
export function bound(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
): ChildProcess {
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const [cmd, argv] = boundToThisProcess(command, args);
  const child = spawn(cmd, argv, { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

/** Stops a child: SIGTERM (or the signal given), then SIGKILL if it has not exited within 10 s. */
export const stopped = (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });

/** Polls a probe with the suite's own helper, naming what it waits for. */
export const until = <T>(what: string, budgetMs: number, probe: () => Promise<T>) =>
  eventually(probe, { budgetMs, what, everyMs: 300 });

export interface TemporalCluster {
  /** the Temporal server's binaries (temporal-server, temporal-sql-tool, temporal-ui-server) */
  server: string;
  /** how long building them took (0 when reused) */
  buildMs: number;
  work: string;
  logs: string;
  certs: string;
  adminUrl: string;
  /** the frontend's gRPC address */
  address: string;
  tlsOf(party: 'engine' | 'admin'): TLSConfig;
  adminConnection: Connection;
  /** the CLI's flags of an admin's connection */
  adminFlags: string[];
  cli: string;
  services: Record<string, ChildProcess>;
  startService(service: string): void;
  metricsPorts: Record<string, string>;
  /** every process started, the engine's too: stopped in reverse order */
  children: ChildProcess[];
  /** the last lines of every process's log, after a failure */
  logTails(): string;
  /** stops everything (the engine first, then Temporal, then PostgreSQL) and removes the work directory */
  stop(): Promise<void>;
}

export async function startTemporalCluster(): Promise<TemporalCluster> {
  const started = Date.now();
  const server = execFileSync('bash', [path.join(projectRoot, 'scripts/topology/provision.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const buildMs = Date.now() - started;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-topology-'));
  const logs = path.join(work, 'logs');
  fs.mkdirSync(logs);
  const certs = path.join(work, 'certs');
  execFileSync('bash', [path.join(projectRoot, 'scripts/topology/make-certs.sh'), certs], { stdio: 'ignore' });
  const [pgDir, adminUrl] = execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh')], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ') as [string, string];
  const pgPort = new URL(adminUrl).port;
  const children: ChildProcess[] = [];
  const logTails = () =>
    fs
      .readdirSync(logs)
      .map(
        (f) =>
          `--- ${f} (last lines)\n${fs.readFileSync(path.join(logs, f), 'utf8').split('\n').slice(-15).join('\n')}\n`,
      )
      .join('');
  const stop = async () => {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    try {
      for (const c of [...children].reverse()) await stopped(c);
      execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh'), 'stop', pgDir]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
  // a run stopped halfway (Ctrl-C an hour into a benchmark) stops what it started: PostgreSQL runs as a
  // daemon (pg_ctl), which the children's death signal does not reach
  function interrupted(signal: NodeJS.Signals) {
    say(`${signal}: stopping the cluster`);
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    // the databases: Temporal's two, under a role of their own with a password made here
    const password = newPayloadKey();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${password.replace(/'/g, "''")}'`);
    await admin.query('CREATE DATABASE sons');
    await admin.end();
    const sqlTool = (db: string, ...args: string[]) =>
      execFileSync(
        path.join(server, 'temporal-sql-tool'),
        [
          '--plugin',
          'postgres12',
          '--ep',
          '127.0.0.1',
          '-p',
          pgPort,
          '-u',
          'temporal',
          '--pw',
          password,
          '--db',
          db,
          ...args,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    for (const [db, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      sqlTool(db, 'create-database');
      sqlTool(db, 'setup-schema', '-v', '0.0');
      sqlTool(db, 'update-schema', '-d', path.join(server, 'schema', schema, 'versioned'));
    }
    say('Temporal schemas set up on PostgreSQL');

    // the four services, one process each, from the one configuration file
    const names = [
      'frontend',
      'frontendHttp',
      'history',
      'matching',
      'worker',
      'frontendM',
      'historyM',
      'matchingM',
      'workerM',
    ];
    const ports = Object.fromEntries(
      await Promise.all(names.map(async (k) => [k, String(await freePort())])),
    ) as Record<string, string>;
    const metricsPorts: Record<string, string> = {};
    for (const service of ['frontend', 'history', 'matching', 'worker'])
      metricsPorts[service] = String(await freePort());
    const serverEnv = {
      ...process.env,
      TEMPORAL_DB_HOST: '127.0.0.1',
      TEMPORAL_DB_PORT: pgPort,
      TEMPORAL_DB_USER: 'temporal',
      TEMPORAL_DB_PASSWORD: password,
      TEMPORAL_TLS_CA: path.join(certs, 'ca.pem'),
      TEMPORAL_TLS_SERVER_CERT: path.join(certs, 'server.pem'),
      TEMPORAL_TLS_SERVER_KEY: path.join(certs, 'server.key'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
      TEMPORAL_DYNAMIC_CONFIG: path.join(projectRoot, 'topology/temporal/dynamic.yaml'),
      TEMPORAL_FRONTEND_PORT: ports.frontend,
      TEMPORAL_FRONTEND_HTTP_PORT: ports.frontendHttp,
      TEMPORAL_HISTORY_PORT: ports.history,
      TEMPORAL_MATCHING_PORT: ports.matching,
      TEMPORAL_WORKER_PORT: ports.worker,
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: ports.frontendM,
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: ports.historyM,
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: ports.matchingM,
      TEMPORAL_WORKER_MEMBERSHIP_PORT: ports.workerM,
    };
    const services: Record<string, ChildProcess> = {};
    const startService = (service: string) => {
      const child = bound(
        `temporal-${service}`,
        path.join(server, 'temporal-server'),
        [
          '--root',
          path.join(projectRoot, 'topology'),
          '--config',
          'temporal',
          '--env',
          'production',
          'start',
          '--service',
          service,
        ],
        { ...serverEnv, TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${metricsPorts[service]}` },
        logs,
      );
      services[service] = child;
      children.push(child);
    };
    const serverUp = Date.now();
    // history first, alone: the first service writes the cluster's metadata, and services starting
    // together on an empty database race to write it (the loser exits)
    startService('history');
    const temporalDbUrl = Object.assign(new URL(adminUrl), { pathname: '/temporal' }).toString();
    await until('the cluster metadata written by the history service', 60_000, async () => {
      if (services.history!.exitCode !== null) throw new Error('the history service exited');
      const c = new pg.Client({ connectionString: temporalDbUrl });
      await c.connect();
      try {
        return (await c.query('SELECT 1 FROM cluster_metadata_info LIMIT 1')).rowCount ? true : undefined;
      } finally {
        await c.end();
      }
    });
    for (const service of ['matching', 'frontend', 'worker']) startService(service);
    const address = `127.0.0.1:${ports.frontend}`;
    const tlsOf = (party: 'engine' | 'admin'): TLSConfig => ({
      serverNameOverride: 'temporal',
      serverRootCACertificate: fs.readFileSync(path.join(certs, 'ca.pem')),
      clientCertPair: {
        crt: fs.readFileSync(path.join(certs, `${party}.pem`)),
        key: fs.readFileSync(path.join(certs, `${party}.key`)),
      },
    });
    const adminConnection = await until('the frontend answering an admin', 90_000, async () => {
      const dead = Object.entries(services).find(([, c]) => c.exitCode !== null);
      if (dead) throw new Error(`the ${dead[0]} service exited (${dead[1].exitCode})`);
      const c = await Connection.connect({ address, tls: tlsOf('admin'), connectTimeout: 2_000 });
      await c.workflowService.getSystemInfo({});
      return c;
    });
    say(`Temporal's four services up in ${((Date.now() - serverUp) / 1000).toFixed(1)} s`);

    // the namespace, made by an admin with the CLI, with its retention
    const cli = temporalCliPath()!;
    const adminFlags = [
      '--address',
      address,
      '--tls-ca-path',
      path.join(certs, 'ca.pem'),
      '--tls-cert-path',
      path.join(certs, 'admin.pem'),
      '--tls-key-path',
      path.join(certs, 'admin.key'),
      '--tls-server-name',
      'temporal',
    ];
    await until('the namespace created', 60_000, async () => {
      execFileSync(
        cli,
        ['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '90d', ...adminFlags],
        { stdio: 'ignore' },
      );
      return true;
    }).catch(async (err) => {
      // created by a previous attempt of this loop
      if (
        !(await adminConnection.workflowService.describeNamespace({ namespace: 'default' }).then(
          () => true,
          () => false,
        ))
      )
        throw err;
    });
    return {
      server,
      buildMs,
      work,
      logs,
      certs,
      adminUrl,
      address,
      tlsOf,
      adminConnection,
      adminFlags,
      cli,
      services,
      startService,
      metricsPorts,
      children,
      logTails,
      stop,
    };
  } catch (err) {
    process.stderr.write(logTails());
    // the setup's own error is the one to read, whatever stopping says
    await stop().catch((e: unknown) => say(`stopping after a failed setup: ${(e as Error).message}`));
    throw err;
  }
}

/** The API's bearer tokens of the topology's people: two ordonnateurs (four eyes), an operator, an admin, an éditeur. */
export function topologyTokens() {
  return {
    operator: newToken({ name: 'ops', role: 'operator' }),
    ordonnateur: newToken({ name: 'ordo-1', role: 'ordonnateur' }),
    ordonnateur2: newToken({ name: 'ordo-2', role: 'ordonnateur' }),
    admin: newToken({ name: 'adm', role: 'admin' }),
    editeur: newToken({ name: 'demo', role: 'editeur', editeurId: 'editeur-demo' }),
  };
}

export interface TopologyEngine {
  api: string;
  tokens: ReturnType<typeof topologyTokens>;
  env: NodeJS.ProcessEnv & { DATABASE_URL: string };
  workers: ChildProcess[];
  workerMetrics: number[];
  apiProcess: ChildProcess;
  startWorker(n: number): void;
}

/** The engine on the cluster: `workers` workers on one task queue and the API, each with the engine's certificate. */
export async function startTopologyEngine(
  c: TemporalCluster,
  {
    workers: count = 2,
    env: extra = {},
    workerNodeArgs = [],
  }: {
    workers?: number;
    env?: NodeJS.ProcessEnv;
    /** node's own flags for the workers (a CPU profile) */ workerNodeArgs?: string[];
  } = {},
): Promise<TopologyEngine> {
  const tokens = topologyTokens();
  const apiPort = await freePort();
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: c.address,
    TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(c.certs, 'engine.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(c.certs, 'engine.key'),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(c.certs, 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal',
    DATABASE_URL: Object.assign(new URL(c.adminUrl), { pathname: '/sons' }).toString(),
    PAYLOAD_KEYS: JSON.stringify({ current: 'k1', keys: { k1: newPayloadKey() } }),
    // every worker signs the journal's checkpoints with the one key of the journal
    JOURNAL_KEYS: JSON.stringify({ current: 'j1', keys: { j1: newJournalKey() } }),
    API_TOKENS: JSON.stringify(Object.values(tokens).map((t) => t.entry)),
    API_PORT: String(apiPort),
    DATA_DIR: path.join(c.work, 'engine'),
    LOG_LEVEL: 'warn',
    ...extra,
  };
  const workers: ChildProcess[] = [];
  const workerMetrics = await Promise.all(Array.from({ length: count }, () => freePort()));
  const startWorker = (n: number) => {
    const child = bound(
      `engine-worker-${n}`,
      process.execPath,
      [...workerNodeArgs, path.join(projectRoot, 'dist/main/worker.js')],
      { ...env, WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetrics[n]}` },
      c.logs,
    );
    workers[n] = child;
    c.children.push(child);
  };
  for (let n = 0; n < count; n++) startWorker(n);
  const apiProcess = bound('engine-api', process.execPath, [path.join(projectRoot, 'dist/main/api.js')], env, c.logs);
  c.children.push(apiProcess);
  const api = `http://127.0.0.1:${apiPort}`;
  await until('the API ready', 120_000, async () =>
    (await fetch(`${api}/ready`).catch(() => undefined))?.ok ? true : undefined,
  );
  say(`the engine (${count} workers, API) connected with its certificate`);
  return { api, tokens, env, workers, workerMetrics, apiProcess, startWorker };
}
