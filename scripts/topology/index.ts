import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { freePort } from '../free-port';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { parse } from 'yaml';
import { ordonnateursOverApi } from '../ordonnateurs';
import { projectRoot } from '../../config/paths';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { shippedCampaigns } from '../../domain/campaigns';
import { vaRequestBody } from '../samples/bdc';
import { enrolOverApi } from '../samples/enrolment-over-api';
import { writeExtraction } from '../samples/finess-extraction';
import { bound, pause, say, startTemporalCluster, startTopologyEngine, stopped, until } from './cluster';

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

async function main() {
  const started = Date.now();
  const cluster = await startTemporalCluster();
  const { server, work, logs, certs, adminUrl, address, adminConnection, adminFlags, cli, services, startService } =
    cluster;
  const { metricsPorts, children } = cluster;
  let onDuty: ReturnType<typeof ordonnateursOverApi> | undefined;
  const rows: [string, string][] = [];
  const failures: string[] = [];
  const check = (what: string, ok: boolean, figure: string) => {
    rows.push([what, `${ok ? 'ok' : 'FAILED'} — ${figure}`]);
    if (!ok) failures.push(what);
  };
  try {
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
    const { api, tokens, env: engineEnv, workers, workerMetrics, startWorker } = await startTopologyEngine(cluster);
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
    process.stderr.write(cluster.logTails());
  } finally {
    await onDuty?.stop();
    // the engine first (it stops cleanly while Temporal answers), then the server's services
    await cluster.stop();
  }
  rows.push(
    ['Temporal server build (0 when reused)', `${(cluster.buildMs / 1000).toFixed(0)} s`],
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
