import { newJournalKey } from '../../client/journal-keys';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../free-port';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { parse } from 'yaml';
import { newToken } from '../../api/auth';
import { ordonnateursOverApi } from '../ordonnateurs';
import { projectRoot } from '../../config/paths';
import { boundToThisProcess } from '../../config/processes';
import { eventually } from '../eventually';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { shippedCampaigns } from '../../domain/campaigns';
import { temporalCliPath } from '../../temporal/binaries';
import { newPayloadKey } from '../../temporal/payload-codec';
import { vaRequestBody } from '../samples/bdc';
import { enrolOverApi } from '../samples/enrolment-over-api';
import { writeExtraction } from '../samples/finess-extraction';

/**
 * `npm run test:topology` (run by .ci/run): the production topology, for real, without Docker —
 * PostgreSQL; the Temporal server v1.28.1 built from source, its four services as separate processes
 * on PostgreSQL with SQL visibility, configured by topology/temporal/production.yaml (the file
 * docker-compose mounts) with mTLS; the namespace made by an admin's certificate with its retention;
 * two engine workers on one task queue and the API, connecting with the engine's certificate through
 * @temporalio/envconfig's variables, payloads encrypted. It proves what the production issue asks and
 * prints a table; exits 1 when anything is off.
 */
const BDCS = Number(process.env.TOPOLOGY_BDCS ?? 16);
const say = (line: string) => process.stderr.write(`[topology] ${line}\n`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child bound to our life: the kernel kills it when this process dies, however it dies. */
function bound(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const [cmd, argv] = boundToThisProcess(command, args);
  const child = spawn(cmd, argv, { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

/** Stops a child: SIGTERM (or the signal given), then SIGKILL if it has not exited within 10 s. */
const stopped = (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
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
const until = <T>(what: string, budgetMs: number, probe: () => Promise<T>) =>
  eventually(probe, { budgetMs, what, everyMs: 300 });

async function main() {
  const started = Date.now();
  const server = execFileSync('bash', [path.join(projectRoot, 'scripts/topology/provision.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const built = Date.now();
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
  let onDuty: ReturnType<typeof ordonnateursOverApi> | undefined;
  const rows: [string, string][] = [];
  const failures: string[] = [];
  const check = (what: string, ok: boolean, figure: string) => {
    rows.push([what, `${ok ? 'ok' : 'FAILED'} — ${figure}`]);
    if (!ok) failures.push(what);
  };
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
    const ports = Object.fromEntries(
      await Promise.all(
        [
          'frontend',
          'frontendHttp',
          'history',
          'matching',
          'worker',
          'frontendM',
          'historyM',
          'matchingM',
          'workerM',
          'm1',
          'm2',
          'm3',
          'm4',
        ].map(async (k) => [k, String(await freePort())]),
      ),
    ) as Record<string, string>;
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
    const metricsPorts: Record<string, string> = {
      frontend: ports.m1!,
      history: ports.m2!,
      matching: ports.m3!,
      worker: ports.m4!,
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
    const tlsOf = (party: 'engine' | 'admin') => ({
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

    // access control: without a certificate of our CA, Temporal refuses
    const refused = async (options: Parameters<typeof Connection.connect>[0]) => {
      try {
        const c = await Connection.connect({ ...options, connectTimeout: 3_000 });
        await c.withDeadline(Date.now() + 3_000, () => c.workflowService.listNamespaces({}));
        await c.close();
        return false;
      } catch {
        return true;
      }
    };
    const plain = await refused({ address });
    const noCert = await refused({
      address,
      tls: { serverNameOverride: 'temporal', serverRootCACertificate: fs.readFileSync(path.join(certs, 'ca.pem')) },
    });
    check('a client without TLS is refused', plain, 'listNamespaces over plain gRPC fails');
    check(
      'a client with TLS but no certificate is refused',
      noCert,
      'the handshake requires a client certificate of our CA',
    );

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
    const described = await adminConnection.workflowService.describeNamespace({ namespace: 'default' });
    const retentionDays = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
    check('namespace retention is explicit', retentionDays === 90, `${retentionDays} days`);

    // the Web UI server, with the environment docker-compose gives it (its /certs are ours here)
    const uiPort = await freePort();
    const compose = parse(fs.readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment: Record<string, string> }>;
    };
    // but its sign-in and its codec endpoint: no identity provider runs here, no console is named in an
    // .env, and the checks read the UI server's API directly
    const uiEnv = Object.fromEntries(
      Object.entries(compose.services['temporal-ui']!.environment)
        .filter(([k]) => !k.startsWith('TEMPORAL_AUTH_') && !k.startsWith('TEMPORAL_CODEC_'))
        .map(([k, v]) => [k, v.replace(/^\/certs\//, `${certs}/`)]),
    );
    children.push(
      bound(
        'temporal-ui',
        path.join(server, 'temporal-ui-server'),
        ['--root', path.join(server, 'ui'), '--config', 'config', '--env', 'docker', 'start'],
        { ...process.env, ...uiEnv, TEMPORAL_ADDRESS: address, TEMPORAL_UI_PORT: String(uiPort) },
        logs,
      ),
    );
    const ui = `http://127.0.0.1:${uiPort}`;

    // the engine: two workers on one task queue, the API; each connects with the engine's certificate
    const tokens = {
      operator: newToken({ name: 'ops', role: 'operator' }),
      // money is decided by four eyes: two ordonnateurs, two persons
      ordonnateur: newToken({ name: 'ordo-1', role: 'ordonnateur' }),
      ordonnateur2: newToken({ name: 'ordo-2', role: 'ordonnateur' }),
      admin: newToken({ name: 'adm', role: 'admin' }),
      editeur: newToken({ name: 'demo', role: 'editeur', editeurId: 'editeur-demo' }),
    };
    const apiPort = await freePort();
    const engineEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(certs, 'engine.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(certs, 'engine.key'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(certs, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal',
      DATABASE_URL: Object.assign(new URL(adminUrl), { pathname: '/sons' }).toString(),
      PAYLOAD_KEYS: JSON.stringify({ current: 'k1', keys: { k1: newPayloadKey() } }),
      // both workers sign the journal's checkpoints with the one key of the journal
      JOURNAL_KEYS: JSON.stringify({ current: 'j1', keys: { j1: newJournalKey() } }),
      API_TOKENS: JSON.stringify(Object.values(tokens).map((t) => t.entry)),
      API_PORT: String(apiPort),
      DATA_DIR: path.join(work, 'engine'),
      LOG_LEVEL: 'warn',
    };
    const workers: ChildProcess[] = [];
    const workerMetrics = [await freePort(), await freePort()];
    const startWorker = (n: number) => {
      const child = bound(
        `engine-worker-${n}`,
        process.execPath,
        [path.join(projectRoot, 'dist/main/worker.js')],
        { ...engineEnv, WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetrics[n]}` },
        logs,
      );
      workers[n] = child;
      children.push(child);
    };
    startWorker(0);
    startWorker(1);
    children.push(bound('engine-api', process.execPath, [path.join(projectRoot, 'dist/main/api.js')], engineEnv, logs));
    const api = `http://127.0.0.1:${apiPort}`;
    await until('the API ready', 120_000, async () =>
      (await fetch(`${api}/ready`).catch(() => undefined))?.ok ? true : undefined,
    );
    say('the engine (2 workers, API) connected with its certificate');
    /** A call retried while the engine answers 503 (Temporal's history restarting), for 3 minutes at most. */
    const call = async (token: string, method: string, p: string, body?: unknown) => {
      const deadline = Date.now() + 180_000;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`${method} ${p}: the engine answered 503 for 3 minutes`);
        const r = await fetch(`${api}${p}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).catch(() => undefined);
        if (r && r.status !== 503) return { status: r.status, body: (await r.json()) as Record<string, unknown> };
        await pause(500);
      }
    };
    const must = async (token: string, method: string, p: string, body?: unknown) => {
      const r = await call(token, method, p, body);
      if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body;
    };

    // no order is validated for an éditeur not enrolled: the topology's éditeur enrols first
    await enrolOverApi(
      {
        url: api,
        editeurId: 'editeur-demo',
        editeurToken: tokens.editeur.secret,
        editeurPerson: 'editeur-demo/demo',
        ordonnateurToken: tokens.ordonnateur.secret,
      },
      'topology',
    );
    // ordonnateurs on duty validate every money proposal over the API, through the faults
    onDuty = ordonnateursOverApi(api, [tokens.ordonnateur.secret, tokens.ordonnateur2.secret]);

    // BDCs along their lifecycle while a worker, then the history service, are killed
    const today = parisCivilDate(new Date());
    const file = path.join(work, 'extraction.csv');
    const ogs = writeExtraction(file, { date: today, ogs: Array.from({ length: BDCS }, () => ({ eligible: 3 })) });
    const upload = await fetch(`${api}/finess/extractions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.operator.secret}`, 'content-type': 'text/csv' },
      body: fs.readFileSync(file),
    });
    if (upload.status !== 201) throw new Error(`FINESS import answered ${upload.status}`);
    const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;
    await must(tokens.operator.secret, 'POST', '/campaigns', {
      ...ms1,
      finessExtraction: undefined,
      id: 'topology',
      label: 'Topology',
      openingDate: addCalendarDays(today, -30),
      orderDeadline: addCalendarDays(today, 30),
      closingDate: addCalendarDays(today, 200),
      sources: ['topology'],
    });
    await must(tokens.operator.secret, 'POST', '/solutions/topo-dui/referencement/decision', {
      eventId: 'topo-granted',
      decision: 'granted',
      decidedOn: today,
      editeurId: 'editeur-demo',
    });
    const bdcs = await Promise.all(
      ogs.map(async (og, i) => {
        const request = {
          editeurId: 'editeur-demo',
          reference: `T-${i}`,
          campaignId: 'topology',
          solutionId: 'topo-dui',
          ogFiness: og.og,
          essms: og.essms.slice(0, 2),
          orderDate: today,
        };
        const { bdcId } = (await must(tokens.operator.secret, 'POST', '/bdcs', {
          ...request,
          eventId: `reg-${i}`,
        })) as { bdcId: string };
        return { bdcId, request };
      }),
    );
    const statusOf = async (bdcId: string) =>
      ((await must(tokens.operator.secret, 'GET', `/bdcs/${encodeURIComponent(bdcId)}`)) as { status: string }).status;
    for (const b of bdcs)
      await until(`${b.bdcId} awaiting its VA`, 120_000, async () =>
        (await statusOf(b.bdcId)) === 'awaiting_va' ? true : undefined,
      );
    say(`${BDCS} BDCs registered, advances ordered`);

    const signedAt = new Date(Date.now() - 60_000).toISOString();
    const invoiceNumbers: string[] = [];
    const sendVa = async (b: (typeof bdcs)[number], i: number) => {
      const body = vaRequestBody(b.request, signedAt, 900_000);
      invoiceNumbers.push((body as { invoice: { number: string } }).invoice.number);
      await must(tokens.editeur.secret, 'POST', `/bdcs/${encodeURIComponent(b.bdcId)}/va`, {
        ...body,
        eventId: `va-${i}`,
      });
    };
    const half = Math.floor(BDCS / 2);
    await Promise.all(bdcs.slice(0, half).map(sendVa));
    // a worker SIGKILLed mid-flow: the other one carries on
    await stopped(workers[0]!, 'SIGKILL');
    await Promise.all(bdcs.slice(half, half + Math.floor(half / 2)).map((b, i) => sendVa(b, half + i)));
    // the history service SIGKILLed and restarted
    const t0 = Date.now();
    await stopped(services.history!, 'SIGKILL');
    startService('history');
    await Promise.all(
      bdcs.slice(half + Math.floor(half / 2)).map((b, i) => sendVa(b, half + Math.floor(half / 2) + i)),
    );
    const historyRecovered = (Date.now() - t0) / 1000;
    startWorker(0);
    // the whole server SIGKILLed while those VAs' balances are being ordered, then started again
    const t1 = Date.now();
    await Promise.all(Object.values(services).map((c) => stopped(c, 'SIGKILL')));
    for (const service of ['history', 'matching', 'frontend', 'worker']) startService(service);
    await until('the frontend answering after the whole server restarted', 90_000, async () =>
      (await adminConnection.workflowService.getSystemInfo({})) ? true : undefined,
    );
    const serverRecovered = (Date.now() - t1) / 1000;
    for (const b of bdcs)
      await until(`${b.bdcId} completed`, 180_000, async () =>
        (await statusOf(b.bdcId)) === 'completed' ? true : undefined,
      );

    // money, from the engine's own ledger, in cents: each BDC 2 ESSMS × 2 920 € = 5 840 €, 30 % then 70 %
    const sons = new pg.Client({ connectionString: engineEnv.DATABASE_URL });
    await sons.connect();
    const orders = (
      await sons.query<{ kind: string; n: number; cents: number }>(
        'SELECT kind, count(*)::int AS n, sum(amount_cents)::int AS cents FROM payment_orders GROUP BY kind ORDER BY kind',
      )
    ).rows;
    await sons.end();
    const expected = [
      { kind: 'advance', n: BDCS, cents: BDCS * 175_200 },
      { kind: 'balance', n: BDCS, cents: BDCS * 408_800 },
    ];
    // the faults' verdict is the ledger's: every BDC completed, each order once, to the cent
    check(
      'a worker, the history service, then the whole server killed mid-flow: every BDC completed, each paid once',
      JSON.stringify(orders) === JSON.stringify(expected),
      `${orders.map((o) => `${o.n} ${o.kind}s, ${o.cents} cents`).join('; ')} (history service back in ${historyRecovered.toFixed(1)} s, the whole server in ${serverRecovered.toFixed(1)} s)`,
    );

    // payloads opaque in Temporal's database
    const temporalDb = new pg.Client({
      connectionString: Object.assign(new URL(adminUrl), { pathname: '/temporal' }).toString(),
    });
    await temporalDb.connect();
    const blobs = (await temporalDb.query<{ data: Buffer }>('SELECT data FROM history_node')).rows.map((r) => r.data);
    await temporalDb.end();
    const leaked = invoiceNumbers.filter((n) => blobs.some((b) => b.includes(n)));
    check(
      "VAs and invoices opaque in Temporal's database",
      blobs.length > 0 && leaked.length === 0,
      `${blobs.length} history nodes, ${leaked.length} of ${invoiceNumbers.length} invoice numbers readable`,
    );

    // the Web UI: histories shown, writes refused (a BDC still running is not terminated)
    const running = bdcs[0]!.request;
    const { bdcId: open } = (await must(tokens.operator.secret, 'POST', '/bdcs', {
      ...running,
      reference: 'T-open',
      ogFiness: ogs.at(-1)!.og,
      essms: ogs.at(-1)!.essms.slice(2, 3),
      eventId: 'reg-open',
    })) as { bdcId: string };
    await until(`${open} awaiting its VA`, 120_000, async () =>
      (await statusOf(open)) === 'awaiting_va' ? true : undefined,
    );
    const settings = (await until('the Web UI answering', 60_000, async () =>
      (await fetch(`${ui}/api/v1/settings`)).json(),
    )) as { DisableWriteActions?: boolean };
    const shown = await fetch(
      `${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(bdcs[0]!.bdcId)}/history`,
    );
    const shownEvents = ((await shown.json()) as { history?: { events?: unknown[] } }).history?.events?.length ?? 0;
    check(
      'the Web UI shows histories',
      shown.status === 200 && shownEvents > 0,
      `${shownEvents} events of ${bdcs[0]!.bdcId} through the UI server (over mTLS)`,
    );
    // an Authorization header skips the UI's CSRF check: what is left to refuse is the write itself
    const terminate = await fetch(`${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(open)}/terminate`, {
      method: 'POST',
      headers: { authorization: 'Bearer anyone', 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'through the UI' }),
    });
    const stillRunning =
      (
        await adminConnection.workflowService.describeWorkflowExecution({
          namespace: 'default',
          execution: { workflowId: open },
        })
      ).workflowExecutionInfo?.status === 1;
    check(
      'the Web UI cannot write',
      settings.DisableWriteActions === true && terminate.status === 405 && stillRunning,
      `settings DisableWriteActions ${settings.DisableWriteActions}; terminate answered ${terminate.status}; the BDC ${stillRunning ? 'still runs' : 'DOES NOT RUN'}`,
    );

    // admins read histories in clear with the CLI and the engine's codec endpoint; without it, sealed
    const show = (...extra: string[]) =>
      execFileSync(
        cli,
        ['workflow', 'show', '--workflow-id', bdcs[0]!.bdcId, '--output', 'json', ...adminFlags, ...extra],
        { encoding: 'utf8', maxBuffer: 64 << 20 },
      );
    // the CLI's JSON keeps payloads as proto JSON: their data fields, base64, are read as the UI would
    const readable = (json: string) =>
      [
        json,
        ...[...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) =>
          Buffer.from(m[1]!, 'base64').toString('utf8'),
        ),
      ].join('\n');
    const sealedShow = readable(show());
    const clearShow = readable(
      show('--codec-endpoint', `${api}/codec`, '--codec-auth', `Bearer ${tokens.admin.secret}`),
    );
    const invoice = invoiceNumbers.find((n) => clearShow.includes(n));
    check(
      'admins read a history in clear through the codec endpoint',
      invoice !== undefined && !sealedShow.includes(invoice),
      `temporal workflow show --codec-endpoint: invoice ${invoice ?? 'NOT FOUND'}; without it: sealed`,
    );
    let noToken: string;
    try {
      noToken = readable(
        execFileSync(
          cli,
          [
            'workflow',
            'show',
            '--workflow-id',
            bdcs[0]!.bdcId,
            '--output',
            'json',
            ...adminFlags,
            '--codec-endpoint',
            `${api}/codec`,
          ],
          { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] },
        ),
      );
    } catch (err) {
      // the CLI gives up on the codec's 401: whatever it printed is all there is
      noToken = readable(String((err as { stdout?: string }).stdout ?? ''));
    }
    check(
      'the codec endpoint decodes nothing without an admin token',
      !invoiceNumbers.some((n) => noToken.includes(n)),
      'temporal workflow show --codec-endpoint without --codec-auth: sealed',
    );

    // metrics: the server's services, the engine's workers (SDK), the API (requests, business)
    const metrics = await fetch(`http://127.0.0.1:${metricsPorts.frontend}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    check(
      "the Temporal server's metrics are served",
      /^# (HELP|TYPE) /m.test(metrics),
      `${metrics.split('\n').length} lines of Prometheus text on the frontend`,
    );
    const sdk = await fetch(`http://127.0.0.1:${workerMetrics[1]}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    const completedTasks = sdk.split('\n').filter((l) => l.startsWith('temporal_workflow_completed')).length;
    check(
      "the workers' SDK metrics are served",
      /^temporal_/m.test(sdk),
      `${sdk.split('\n').filter((l) => l.startsWith('temporal_')).length} temporal_* samples (${completedTasks} workflow_completed series)`,
    );
    const apiMetrics = await fetch(`${api}/metrics`, {
      headers: { authorization: `Bearer ${tokens.admin.secret}` },
    }).then(
      (r) => r.text(),
      () => '',
    );
    const advanced = Number(/^sons_ledger_cents\{kind="order_advance"\} (\d+)$/m.exec(apiMetrics)?.[1]);
    // the BDCs that completed, and the one left running (1 ESSMS of tranche B: 876 €)
    check(
      "the API's metrics hold the ledger",
      advanced === BDCS * 175_200 + 87_600,
      `sons_ledger_cents{kind="order_advance"} ${advanced}`,
    );
  } catch (err) {
    failures.push((err as Error).message);
    say(`failed: ${(err as Error).stack}`);
    for (const f of fs.readdirSync(logs)) {
      const tail = fs.readFileSync(path.join(logs, f), 'utf8').split('\n').slice(-15).join('\n');
      process.stderr.write(`--- ${f} (last lines)\n${tail}\n`);
    }
  } finally {
    await onDuty?.stop();
    // the engine first (it stops cleanly while Temporal answers), then the server's services
    for (const c of children.reverse()) await stopped(c);
    execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh'), 'stop', pgDir]);
    fs.rmSync(work, { recursive: true, force: true });
  }
  rows.push(
    ['Temporal server build (0 when reused)', `${((built - started) / 1000).toFixed(0)} s`],
    ['duration', `${((Date.now() - started) / 1000).toFixed(0)} s`],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(
    `\nsons-engine production topology\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`,
  );
  process.stdout.write(failures.length ? `  FAILED: ${failures.join('; ')}\n` : '  PASSED\n');
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`[topology] ${(err as Error).stack}\n`);
  process.exit(1);
});
