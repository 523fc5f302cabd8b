import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { engineContext, type Caller, type EngineContext } from '../../client/context';
import { registerBdc } from '../../client/intake';
import { listProposals, validateProposal } from '../../client/proposals';
import { parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { FinessReference } from '../../db/finess';
import { migrate } from '../../db/migrations';
import { openPostgres } from '../../db/postgres';
import type { Sql } from '../../db/sql';
import { sendBdcEvent } from '../../temporal/bdc-gateway';
import { bdcMessages } from '../../contract/bdc';
import { campaignAround } from '../local-engine';
import { sampleBdcRequest, vaDocument } from '../samples/bdc';
import { categories } from '../samples/finess-extraction';
import { bareStage, bareUpdate } from './bare/workflows';
import { cpuMs, median, percentiles, round, timed } from './measure';

/**
 * The engine's lifecycle against a bare workflow doing the same Temporal work (started, one
 * activity, one update, one activity, completed), on the same server in one run, each worker in a
 * process of its own, interleaved over rounds: worker and server CPU per lifecycle, memory per open
 * workflow, history events and bytes, and each ratio project/bare.
 */
export const operatorCaller: Caller = { actor: { role: 'operator', id: 'bench' }, scope: 'operator.bench' };
/** two persons: four eyes above a campaign's threshold */
const benchOrdonnateurs: Caller[] = [1, 2].map((n) => ({
  actor: { role: 'ordonnateur', id: `bench-ordonnateur-${n}` },
  scope: `ordonnateur.bench-${n}`,
}));

/**
 * The BDC's next money validated as soon as it is proposed, as the ordonnateurs' console would: by one
 * person, or by a second when its amount needs two. Part of a lifecycle since money is decided by four
 * eyes (the bench waited for « awaiting VA » and a completion that never came).
 */
async function validateNextMoney(ctx: EngineContext, bdcId: string): Promise<void> {
  let validated = false;
  for (;;) {
    const [p] = await listProposals(ctx, { bdcId, state: 'proposed' });
    if (!p) {
      if (validated) return;
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const sent = await validateProposal(ctx, benchOrdonnateurs[p.validations.length]!, {
      process: p.process,
      processId: p.processId,
      proposalId: p.id,
      eventId: randomUUID(),
    }).then(
      () => true,
      (e: unknown) => {
        // listed from the record while the commit that proposes it is still returning to the workflow
        if (e instanceof RefusedError && e.refusals[0]?.code === 'not_found') return false;
        throw e;
      },
    );
    if (sent) validated = true;
    else await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh database on the PostgreSQL server, migrated, with a FINESS extraction to seed OGs into. */
export async function benchDatabase(postgresUrl: string, name: string) {
  const admin = openPostgres(postgresUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const sql = openPostgres(url.toString(), 20);
  await migrate(sql);
  const finess = new FinessReference(sql);
  const extractionId = await finess.beginExtraction(parisCivilDate(new Date()), 'bench', 'utf-8');
  await finess.completeExtraction(extractionId, { read: 0, kept: 0, rejected: 0 });
  return {
    url: url.toString(),
    sql,
    /** an order of 2 ESSMS from an OG of 3, its solution granted: what the bench registers */
    async order(editeurId = 'editeur-acme') {
      const request = sampleBdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()), editeurId });
      const extra = sampleBdcRequest().essms[0]!;
      await finess.insertEstablishments(
        extractionId,
        [...request.essms, extra].map((nofinesset) => ({
          nofinesset,
          nofinessej: request.ogFiness,
          rs: 'EHPAD',
          departement: '75',
          ...categories.ehpad,
        })),
      );
      return request;
    },
  };
}

export async function grantSolutions(ctx: EngineContext, editeurIds: string[]) {
  for (const editeurId of editeurIds) {
    await ctx.solutions.decide(`${editeurId.replace(/^editeur-/, '')}-dui-5`, {
      decision: 'granted',
      decidedOn: parisCivilDate(new Date()),
      eventId: `bench:${randomUUID()}`,
      actor: 'bench',
      editeurId,
    });
  }
}

export interface WorkerChild {
  process: ChildProcess;
  pid: number;
  rssAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

export async function startWorkerChild(
  kind: 'project' | 'bare',
  address: string,
  taskQueue: string,
  databaseUrl: string,
): Promise<WorkerChild> {
  const child = fork(require.resolve('./worker-child'), [kind, address, taskQueue, databaseUrl], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the ${kind} worker exited (${code})`)));
  });
  return {
    process: child,
    pid: child.pid!,
    rssAfterGc: () =>
      new Promise((resolve) => {
        child.once('message', (m: { rssKiB: number }) => resolve(m.rssKiB));
        child.send({ gc: true });
      }),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

interface Side {
  /** runs one whole lifecycle, start to completion */
  lifecycle(): Promise<string>;
  /** opens one workflow and leaves it waiting for its update */
  open(): Promise<string>;
  /** whether an opened workflow is waiting */
  waiting(id: string): Promise<boolean>;
  worker: WorkerChild;
}

export function projectSide(
  ctx: EngineContext,
  db: Awaited<ReturnType<typeof benchDatabase>>,
  worker: WorkerChild,
): Side {
  const open = async () => (await registerBdc(ctx, operatorCaller, await db.order(), randomUUID())).bdcId;
  return {
    worker,
    open,
    async lifecycle() {
      const request = await db.order();
      const { bdcId } = await registerBdc(ctx, operatorCaller, request, randomUUID());
      await validateNextMoney(ctx, bdcId);
      await sendBdcEvent(ctx.client, bdcId, bdcMessages.vaSubmitted, {
        eventId: randomUUID(),
        actor: { role: 'editeur', id: 'bench' },
        receivedAt: new Date().toISOString(),
        ...vaDocument(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
      });
      await validateNextMoney(ctx, bdcId);
      await ctx.client.workflow.getHandle(bdcId).result();
      return bdcId;
    },
    async waiting(bdcId) {
      // open, its advance waiting for the ordonnateurs
      return (await ctx.records.get(bdcId))?.status === 'awaiting_validation';
    },
  };
}

export function bareSide(client: Client, taskQueue: string, worker: WorkerChild): Side {
  const open = async () => {
    const id = `bare-${randomUUID()}`;
    await client.workflow.start('bareLifecycle', { workflowId: id, taskQueue, args: [id] });
    return id;
  };
  return {
    worker,
    open,
    async lifecycle() {
      const id = await open();
      const handle = client.workflow.getHandle(id);
      await handle.executeUpdate(bareUpdate, { args: ['va'] });
      await handle.result();
      return id;
    },
    async waiting(id) {
      // a query may time out while the server is loaded: asked again later
      return (
        (await client.workflow
          .getHandle(id)
          .query(bareStage)
          .catch(() => undefined)) === 'waiting'
      );
    },
  };
}

async function runAll(n: number, parallel: number, task: () => Promise<string>): Promise<string[]> {
  const limit = pLimit(parallel);
  return Promise.all(Array.from({ length: n }, () => limit(task)));
}

/** Worker and server CPU per lifecycle of each side, interleaved over rounds: medians and ratios. */
export async function cpuPerLifecycle(
  sides: { project: Side; bare: Side },
  serverPid: number,
  { rounds, lifecycles, parallel }: { rounds: number; lifecycles: number; parallel: number },
) {
  const samples = {
    project: { worker: [] as number[], server: [] as number[] },
    bare: { worker: [] as number[], server: [] as number[] },
  };
  // a first round of each warms the caches and the JIT; it is not counted
  await runAll(20, parallel, sides.project.lifecycle);
  await runAll(20, parallel, sides.bare.lifecycle);
  for (let r = 0; r < rounds; r++) {
    for (const name of ['project', 'bare'] as const) {
      const side = sides[name];
      const [w0, s0] = [cpuMs(side.worker.pid), cpuMs(serverPid)];
      await runAll(lifecycles, parallel, side.lifecycle);
      samples[name].worker.push((cpuMs(side.worker.pid) - w0) / lifecycles);
      samples[name].server.push((cpuMs(serverPid) - s0) / lifecycles);
    }
  }
  const m = (xs: number[]) => round(median(xs), 2);
  return {
    rounds,
    lifecyclesPerRound: lifecycles,
    workerCpuMsPerLifecycle: {
      project: m(samples.project.worker),
      bare: m(samples.bare.worker),
      ratio: round(median(samples.project.worker) / median(samples.bare.worker), 2),
    },
    serverCpuMsPerLifecycle: {
      project: m(samples.project.server),
      bare: m(samples.bare.server),
      ratio: round(median(samples.project.server) / median(samples.bare.server), 2),
    },
    samples,
  };
}

/** Resident memory per open workflow: N opened and waiting, against the same worker before (after a GC). */
export async function rssPerOpen(side: Side, open: number, parallel: number): Promise<number> {
  const before = await side.worker.rssAfterGc();
  const ids = await runAll(open, parallel, side.open);
  const limit = pLimit(parallel);
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        while (!(await side.waiting(id))) await new Promise((r) => setTimeout(r, 200));
      }),
    ),
  );
  const after = await side.worker.rssAfterGc();
  return round((after - before) / open, 1);
}

export async function historyOf(client: Client, workflowId: string) {
  const d = await client.workflow.getHandle(workflowId).describe();
  return { events: d.historyLength, bytes: d.historySize };
}

export function benchEngineContext(client: Client, sql: Sql, taskQueue: string): EngineContext {
  return engineContext({ client, sql, campaigns: [campaignAround(Date.now())], taskQueue });
}

/**
 * What Temporal alone allows on this server: bare workflows started at `parallel` callers a second, and
 * the latency of their update (sent once each is waiting) at 1 and at 50 callers — the floor the
 * engine's registration rate and VA latency are read against.
 */
export async function temporalFloor(side: Side, client: Client, { starts = 500, updates = 500 } = {}) {
  const [, startMs] = await timed(() => runAll(starts, 20, side.open));
  const waiting = await runAll(2 * updates, 20, side.open);
  const limit = pLimit(20);
  await Promise.all(
    waiting.map((id) =>
      limit(async () => {
        while (!(await side.waiting(id))) await new Promise((r) => setTimeout(r, 200));
      }),
    ),
  );
  const update = async (id: string) =>
    (await timed(() => client.workflow.getHandle(id).executeUpdate(bareUpdate, { args: ['va'] })))[1];
  const one: number[] = [];
  for (const id of waiting.slice(0, updates)) one.push(await update(id));
  const limit50 = pLimit(50);
  const fifty = await Promise.all(waiting.slice(updates).map((id) => limit50(() => update(id))));
  return {
    startsPerSecondAt20: round(starts / (startMs / 1000)),
    updateOneCaller: percentiles(one),
    updateFiftyCallers: percentiles(fifty),
  };
}
