import { ordonnateursOverApi } from '../ordonnateurs';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pLimit from 'p-limit';
import { ApiClient, ApiError } from '../../cli/api-client';
import { projectRoot } from '../../config/paths';
import { boundToThisProcess } from '../../config/processes';
import { eventually } from '../eventually';
import { createLogger } from '../../config/logger';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { shippedCampaigns } from '../../domain/campaigns';
import { temporalCliPath } from '../../temporal/binaries';
import { startDevServer } from '../../temporal/dev-server';
import { writeExtraction, type GeneratedOg } from '../samples/finess-extraction';
import { startTemporalCluster, startTopologyEngine } from '../topology/cluster';
import { enrolOverApi } from '../samples/enrolment-over-api';
import { vaRequestBody } from '../samples/bdc';
import { median, percentiles, round, rssKiB, timed } from './measure';

/**
 * `npm run bench:scale [-- --bdcs 20000]`: the engine as `npm start` runs it (worker + API + PGlite in
 * one process), on a Temporal server of its own, N BDCs registered through its API. At N/2 and at N:
 * the registration rate, a list page's latency, the summary, the reconciliation, the calendar dry
 * run, a calendar batch over every running BDC (its duration and its largest run's history), and the
 * engine's memory with N BDCs open. Then a solution decided over WAITING BDCs waiting on it, and the
 * latency of VAs sent through the API (`--vas`: a fifth at one caller, the rest at 50 together).
 * With `--topology [--workers 2]`, the same on the production topology (scripts/topology/cluster.ts):
 * Temporal's four services on PostgreSQL with SQL visibility and mTLS, the engine's workers and API
 * on PostgreSQL, each process's memory reported.
 */
const { values: args } = parseArgs({
  options: {
    bdcs: { type: 'string', default: '10000' },
    waiting: { type: 'string', default: '5000' },
    // the reads and the reconciliation alone: a calendar batch over every running BDC takes most of a
    // 20,000-BDC run's hour on two cores
    'skip-batch': { type: 'boolean', default: false },
    // on the production topology (Temporal's four services on PostgreSQL, the engine's workers and API)
    topology: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    // VAs sent by the éditeur at the end: a fifth at one caller, the rest at 50 together
    vas: { type: 'string', default: '600' },
    // on the topology, a CPU profile of each worker (node --cpu-prof) written to this directory when it stops
    profile: { type: 'string' },
  },
});
const N = Number(args.bdcs);
const WAITING = Number(args.waiting);
const SKIP_BATCH = args['skip-batch'];
const TOPOLOGY = args.topology;
const WORKERS = Number(args.workers);
const VAS = Math.min(Number(args.vas), N);
if (args.profile && !TOPOLOGY) {
  process.stderr.write("bench:scale: --profile profiles the topology's workers: add --topology\n");
  process.exit(2);
}
if (!Number.isInteger(WORKERS) || WORKERS < 1) {
  process.stderr.write('bench:scale: --workers takes a whole number, at least 1\n');
  process.exit(2);
}
const PORT = 17_600 + (process.pid % 300);

/** Where the engine runs for a run: its API, its people's tokens, a Temporal client, its processes' memory. */
interface Rig {
  engine: string;
  url: string;
  tokens: { operator: string; editeur: string; ordonnateur: string; ordonnateur2: string };
  editeurPerson: string;
  client: Client;
  /** resident memory of each of the engine's processes, MiB */
  rssMiB(): Record<string, number>;
  stop(): Promise<void>;
}

/** The engine as `npm start` runs it (worker + API + PGlite in one process) on a dev server in memory. */
async function devServerRig(work: string): Promise<Rig> {
  const logger = createLogger('warn');
  const server = await startDevServer({
    cli: temporalCliPath()!,
    dataDir: path.join(work, 'temporal'),
    port: PORT,
    uiPort: PORT + 1000,
    logger,
    headless: true,
    inMemory: true,
  });
  const dataDir = path.join(work, 'engine');
  const apiPort = PORT + 2000;
  // bound to the benchmark's life: a run stopped halfway leaves no engine behind
  const [command, argv] = boundToThisProcess(process.execPath, [path.join(projectRoot, 'dist', 'main', 'engine.js')]);
  const engine = spawn(command, argv, {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      WORKER_MEMORY_MIB: '4096',
      // the engine's registration rate is measured, not the throttle of a token's writes
      API_WRITES_PER_MINUTE: String(Number.MAX_SAFE_INTEGER),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    engine.kill('SIGTERM');
    await new Promise((r) => engine.once('exit', r));
    await server.stop();
  };
  try {
    const url = `http://127.0.0.1:${apiPort}`;
    const credentials = path.join(dataDir, 'dev-credentials.json');
    await eventually(
      async () =>
        fs.existsSync(credentials) &&
        (await fetch(`${url}/health`).then(
          (r) => r.ok,
          () => false,
        )),
      { budgetMs: 120_000, everyMs: 100, what: 'the engine started' },
    );
    const tokens = JSON.parse(fs.readFileSync(credentials, 'utf8')) as Record<string, string>;
    return {
      engine: 'worker + API + PGlite in one process (dist/main/engine.js), Temporal dev server in memory',
      url,
      tokens: {
        operator: tokens.operator!,
        editeur: tokens.editeur!,
        ordonnateur: tokens.ordonnateur!,
        ordonnateur2: tokens.ordonnateur2!,
      },
      editeurPerson: 'editeur-demo/demo-editeur',
      client: new Client({ connection: await Connection.connect({ address: server.address }) }),
      rssMiB: () => ({ engine: round(rssKiB(engine.pid!) / 1024) }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The production topology (scripts/topology/cluster.ts): Temporal's four services on PostgreSQL with
 * SQL visibility and mTLS, the engine's WORKERS workers and its API on PostgreSQL, at their defaults
 * (WORKER_MEMORY_MIB 1,024) but the throttle of a token's writes.
 */
const rssOrGone = (pid: number) => (fs.existsSync(`/proc/${pid}/status`) ? round(rssKiB(pid) / 1024) : -1);

async function topologyRig(): Promise<Rig> {
  const cluster = await startTemporalCluster();
  try {
    const engine = await startTopologyEngine(cluster, {
      workers: WORKERS,
      env: { API_WRITES_PER_MINUTE: String(Number.MAX_SAFE_INTEGER) },
      workerNodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [],
    });
    const secret = (k: keyof typeof engine.tokens) => engine.tokens[k].secret;
    return {
      engine: `${WORKERS} workers + the API (dist/main/worker.js, api.js) on PostgreSQL; Temporal v1.28.1's four services on PostgreSQL (SQL visibility, mTLS)`,
      url: engine.api,
      tokens: {
        operator: secret('operator'),
        editeur: secret('editeur'),
        ordonnateur: secret('ordonnateur'),
        ordonnateur2: secret('ordonnateur2'),
      },
      editeurPerson: 'editeur-demo/demo',
      client: new Client({
        connection: await Connection.connect({ address: cluster.address, tls: cluster.tlsOf('admin') }),
      }),
      // a process that died (out of memory…) reads -1: the figure says it, the run goes on
      rssMiB: () => ({
        ...Object.fromEntries(engine.workers.map((w, n) => [`worker${n}`, rssOrGone(w.pid!)])),
        api: rssOrGone(engine.apiProcess.pid!),
      }),
      stop: () => cluster.stop(),
    };
  } catch (err) {
    process.stderr.write(cluster.logTails());
    await cluster.stop();
    throw err;
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-scale-'));
  const rig = TOPOLOGY ? await topologyRig() : await devServerRig(work);
  let onDuty: ReturnType<typeof ordonnateursOverApi> | undefined;
  try {
    const { url, tokens, client } = rig;
    const operator = new ApiClient(url, tokens.operator);
    // money is decided by four eyes, for an éditeur enrolled: it enrols, then two ordonnateurs on duty
    // validate over the API
    await enrolOverApi(
      {
        url,
        editeurId: 'editeur-demo',
        editeurToken: tokens.editeur,
        editeurPerson: rig.editeurPerson,
        ordonnateurToken: tokens.ordonnateur,
      },
      'scale',
    );
    onDuty = ordonnateursOverApi(url, [tokens.ordonnateur, tokens.ordonnateur2]);

    // reference data: one OG of 3 eligible ESSMS per BDC to register
    const file = path.join(work, 'extraction.csv');
    const ogs = writeExtraction(file, {
      date: parisCivilDate(new Date()),
      ogs: Array.from({ length: N + WAITING }, () => ({ eligible: 3 })),
    });
    const [, importMs] = await timed(() => operator.upload('/finess/extractions', file));
    const today = parisCivilDate(new Date());
    const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;
    await operator.request('POST', '/campaigns', {
      ...ms1,
      finessExtraction: undefined,
      id: 'scale',
      label: 'Bench scale',
      openingDate: addCalendarDays(today, -30),
      orderDeadline: addCalendarDays(today, 30),
      closingDate: addCalendarDays(today, 200),
      sources: ['bench'],
    });
    await operator.request('POST', '/solutions/scale-dui/referencement/decision', {
      eventId: 'scale-granted',
      decision: 'granted',
      decidedOn: today,
      editeurId: 'editeur-demo',
    });
    const order = (og: GeneratedOg, i: number, solutionId = 'scale-dui') => ({
      eventId: `scale-${i}`,
      editeurId: 'editeur-demo',
      reference: `S-${i}`,
      campaignId: 'scale',
      solutionId,
      ogFiness: og.og,
      essms: og.essms.slice(0, 2),
      orderDate: today,
    });

    const limit = pLimit(20);
    let registered = 0;
    const bdcIds: string[] = [];
    const registerUpTo = async (n: number) => {
      const from = registered;
      const [, ms] = await timed(() =>
        Promise.all(
          ogs.slice(from, n).map((og, k) =>
            limit(async () => {
              const { bdcId } = await operator.request<{ bdcId: string }>('POST', '/bdcs', order(og, from + k));
              bdcIds[from + k] = bdcId;
            }),
          ),
        ),
      );
      registered = n;
      return round((n - from) / (ms / 1000));
    };
    const figures = [];
    for (const at of [Math.floor(N / 2), N]) {
      const registrationPerSecond = await registerUpTo(at);
      // every BDC has its advance ordered and awaits its VA before the reads are measured
      const awaitingVa = async () =>
        (await operator.request<{ lines: { status: string; bdcs: number }[] }>('GET', '/reports/summary')).lines.find(
          (l) => l.status === 'awaiting_va',
        )?.bdcs;
      await eventually(async () => (await awaitingVa()) === at, {
        budgetMs: 3_600_000,
        everyMs: 1_000,
        what: `all ${at} BDCs awaiting their VA`,
      });
      figures.push({
        bdcs: at,
        registrationPerSecond,
        engineRssMiB: rig.rssMiB(),
        ...(await reads(operator, client, at)),
      });
      // each size's figures as soon as they are measured: a long run that is stopped keeps them
      process.stderr.write(`[bench:scale] ${JSON.stringify(figures.at(-1))}\n`);
    }

    // a solution decided over the BDCs waiting on it: none missed
    const pending = ogs.slice(N, N + WAITING);
    await Promise.all(
      pending.map((og, k) => limit(() => operator.request('POST', '/bdcs', order(og, N + k, 'scale-next')))),
    );
    const [decision, decisionMs] = await timed(async () => {
      const { batchId } = await operator.request<{ batchId: string }>(
        'POST',
        '/solutions/scale-next/referencement/decision',
        { eventId: 'scale-next-granted', decision: 'granted', decidedOn: today },
      );
      return untilDone(operator, batchId);
    });
    const stillWaiting = (
      await operator.request<{ bdcs: unknown[] }>(
        'GET',
        '/bdcs?solution=scale-next&status=awaiting_referencement&pageSize=200',
      )
    ).bdcs.length;

    // the VA of BDCs awaiting it, sent by their éditeur through the API: one caller, then 50 together
    const editeur = new ApiClient(url, tokens.editeur);
    // a VA the engine did not record within the API's deadline (503) is sent again as the API says, the
    // same request with the same eventId: its latency runs until it is answered, and the resends are counted
    let resent = 0;
    const vaTimes: VaTime[] = [];
    const sendVa = async (i: number) => {
      const body = vaRequestBody(order(ogs[i]!, i), new Date(Date.now() - 60_000).toISOString(), 584_000);
      // ten resends at most: an engine that never answers stops the run rather than hanging it
      const send = (left = 10): Promise<unknown> =>
        editeur.request('POST', `/bdcs/${encodeURIComponent(bdcIds[i]!)}/va`, body).catch((e: unknown) => {
          if (!(e instanceof ApiError) || e.status !== 503 || left === 0) throw e;
          resent++;
          return send(left - 1);
        });
      const from = Date.now();
      const ms = (await timed(() => send()))[1];
      vaTimes.push({ bdcId: bdcIds[i]!, ms, from, to: Date.now() });
      return ms;
    };
    const alone = Math.floor(VAS / 5);
    const oneCaller: number[] = [];
    for (let i = 0; i < alone; i++) oneCaller.push(await sendVa(i));
    const fifty = pLimit(50);
    const fiftyCallers = await Promise.all(
      Array.from({ length: VAS - alone }, (_, k) => fifty(() => sendVa(alone + k))),
    );
    const vaFigures = { oneCaller: percentiles(oneCaller), fiftyCallers: percentiles(fiftyCallers), resent };
    process.stderr.write(`[bench:scale] VA ${JSON.stringify(vaFigures)}\n`);
    const vaSubmission = {
      ...vaFigures,
      // read from Temporal after an hour's run, once the figures above are written: a failed read loses none
      slowest: await whereTheTimeWent(client, vaTimes).catch((e: unknown) => ({ unread: String(e) })),
    };
    process.stderr.write(`[bench:scale] the slowest VAs ${JSON.stringify(vaSubmission.slowest)}\n`);

    const [first, second] = figures as [(typeof figures)[number], (typeof figures)[number]];
    const growth = (k: 'listPageP99Ms' | 'summaryMs' | 'reconciliationMs' | 'dryRunMs') =>
      round(second[k] / first[k], 2);
    process.stdout.write(
      `${JSON.stringify(
        {
          machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
          engine: rig.engine,
          finessImport: { rows: ogs.length * 4, seconds: round(importMs / 1000, 1) },
          figures,
          growthFromHalf: {
            listPageP99: growth('listPageP99Ms'),
            summary: growth('summaryMs'),
            reconciliation: growth('reconciliationMs'),
            dryRun: growth('dryRunMs'),
          },
          solutionDecision: {
            waitingBdcs: WAITING,
            seconds: round(decisionMs / 1000, 1),
            applied: decision.applied,
            skipped: decision.skipped,
            failed: decision.failed,
            stillWaiting,
          },
          vaSubmission,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await onDuty?.stop();
    await rig.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface VaTime {
  bdcId: string;
  ms: number;
  /** when it was sent and answered (epoch ms): its BDC's history is read within that window only */
  from: number;
  to: number;
}

/**
 * The five slowest VAs, each with its BDC's workflow tasks as Temporal recorded them while the VA was
 * waiting: how many were scheduled, how many timed out or failed (a failure retried is written once), the
 * highest attempt, and the longest wait of one between scheduled and started or timed out (a task queued
 * behind a busy worker; one on a sticky queue nobody polled times out and is scheduled again).
 */
async function whereTheTimeWent(client: Client, vaTimes: VaTime[]) {
  const slowest = [...vaTimes].sort((a, b) => b.ms - a.ms).slice(0, 5);
  return Promise.all(
    slowest.map(async ({ bdcId, ms, from, to }) => {
      const events = (await client.workflow.getHandle(bdcId).fetchHistory()).events ?? [];
      const at = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) =>
        Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
      const scheduled = new Map<number, number>();
      let longestWaitMs = 0;
      const tasks = { scheduled: 0, timedOut: 0, failed: 0, highestAttempt: 0 };
      const waited = (scheduledEventId: unknown, e: (typeof events)[number]) => {
        const since = scheduled.get(Number(scheduledEventId));
        if (since !== undefined) longestWaitMs = Math.max(longestWaitMs, at(e) - since);
      };
      for (const e of events) {
        if (at(e) < from || at(e) > to) continue;
        const task = e.workflowTaskScheduledEventAttributes;
        if (task) {
          tasks.scheduled++;
          tasks.highestAttempt = Math.max(tasks.highestAttempt, task.attempt ?? 1);
          scheduled.set(Number(e.eventId), at(e));
        }
        if (e.workflowTaskStartedEventAttributes) waited(e.workflowTaskStartedEventAttributes.scheduledEventId, e);
        if (e.workflowTaskTimedOutEventAttributes) {
          tasks.timedOut++;
          waited(e.workflowTaskTimedOutEventAttributes.scheduledEventId, e);
        }
        if (e.workflowTaskFailedEventAttributes) tasks.failed++;
      }
      return {
        bdcId,
        ms: round(ms),
        historyEvents: events.length,
        workflowTasks: tasks,
        longestWaitMs: round(longestWaitMs),
      };
    }),
  );
}

interface Progress {
  total: number;
  applied: number;
  skipped: number;
  failed: number;
  done: boolean;
}

function untilDone(api: ApiClient, batchId: string): Promise<Progress> {
  return eventually(
    async () => {
      const progress = await api.request<Progress>('GET', `/batches/${encodeURIComponent(batchId)}`);
      return progress.done && progress;
    },
    { budgetMs: 3_600_000, everyMs: 500, what: `batch ${batchId} done` },
  );
}

/** The operator's reads at this size, and a calendar batch over every running BDC. */
async function reads(api: ApiClient, client: Client, bdcs: number) {
  // list pages: each filter, first pages and pages deep into the list (keyset: as fast)
  const filters = [
    'status=awaiting_va',
    'campaign=scale',
    'editeur=editeur-demo',
    'solution=scale-dui',
    'overdue=false',
    '',
  ];
  const pageMs: number[] = [];
  for (let i = 0; i < 120; i++) {
    let query = `${filters[i % filters.length]}&pageSize=50`;
    for (let page = 0; page < 3; page++) {
      const [body, ms] = await timed(() => api.request<{ nextPageToken?: string }>('GET', `/bdcs?${query}`));
      pageMs.push(ms);
      if (!body.nextPageToken) break;
      query = `${filters[i % filters.length]}&pageSize=50&pageToken=${body.nextPageToken}`;
    }
  }
  const summaryMs = median(
    await Promise.all([0, 1, 2].map(async () => (await timed(() => api.request('GET', '/reports/summary')))[1])),
  );
  type Difference = { bdcId: string; kind: string; what: string };
  const [reconciliation, reconciliationMs] = await timed(() =>
    api.request<{ differences: Difference[] }>('GET', '/ledger/reconciliation'),
  );
  // an unexplained difference is a defect until proven otherwise: each is printed in full, then
  // checked again after a while (Temporal's visibility is eventually consistent; the ledger is not)
  if (reconciliation.differences.length) {
    for (const d of reconciliation.differences)
      process.stdout.write(`[scale] difference ${d.bdcId} ${d.kind}: ${d.what}\n`);
    await new Promise((r) => setTimeout(r, 30_000));
    const again = await api.request<{ differences: Difference[] }>('GET', '/ledger/reconciliation');
    const key = (d: Difference) => `${d.bdcId} ${d.kind} ${d.what}`;
    const still = new Set(again.differences.map(key));
    for (const d of reconciliation.differences)
      process.stdout.write(`[scale] 30 s later ${still.has(key(d)) ? 'STILL' : 'gone'}: ${key(d)}\n`);
  }
  const closingDate = addCalendarDays(parisCivilDate(new Date()), 200 + Math.round(bdcs / 1000));
  const figures = {
    listPage: percentiles(pageMs),
    listPageP99Ms: percentiles(pageMs).p99Ms,
    summaryMs: round(summaryMs),
    reconciliationMs: round(reconciliationMs),
    reconciliationDifferences: reconciliation.differences.length,
  };
  process.stderr.write(`[bench:scale] ${bdcs} BDCs: ${JSON.stringify(figures)}\n`);
  const [plan, dryRunMs] = await timed(() =>
    api.request<{ runningBdcs: number }>('POST', '/campaigns/scale/calendar/dry-run', { closingDate }),
  );
  if (SKIP_BATCH) return { ...figures, dryRunMs: round(dryRunMs), dryRunBdcs: plan.runningBdcs, calendarBatch: null };
  const [batch, batchMs] = await timed(async () => {
    const { batchId } = await api.request<{ batchId: string }>('POST', '/campaigns/scale/calendar', {
      eventId: randomUUID(),
      closingDate,
      reason: 'bench',
    });
    return { batchId, ...(await untilDone(api, batchId)) };
  });
  let largestHistory = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${batch.batchId}'` }))
    largestHistory = Math.max(largestHistory, run.historyLength);
  return {
    ...figures,
    dryRunMs: round(dryRunMs),
    dryRunBdcs: plan.runningBdcs,
    calendarBatch: {
      seconds: round(batchMs / 1000, 1),
      applied: batch.applied,
      skipped: batch.skipped,
      failed: batch.failed,
      largestRunHistoryEvents: largestHistory,
    },
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
