import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { UpdateDefinition } from '@temporalio/common';
import { registerBdc } from '../../client/intake';
import { sendBdcEvent } from '../../client/bdc-events';
import type { BdcRequest } from '../../domain/bdc';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import type { Campaign } from '../../domain/campaign';
import type { Ledger } from '../../db/ledger';
import { createBdcWorker, type BdcWorkerOptions } from '../../worker/create-worker';
import type { BdcView } from '../../workflows/bdc-view';
import { bdcMessages } from '../../workflows/messages';
import { bdcRequest, campaign, event, freshFiness } from './bdc-fixtures';
import { categories } from '../../scripts/finess-extraction-generator';
import { FinessReference } from '../../db/finess';
import { newToken, TokenRegistry } from '../../client/api/auth';
import { buildApi, type ApiDeps } from '../../client/api/server';
import { createLogger } from '../../config/logger';
import { historyToPlainJson } from './histories';
import { openTestDatabase, type Backend } from './database';
import { devServerEnvironment, timeSkippingEnvironment, workflowBundle } from './temporal';

/**
 * A vague-1 campaign moved around the test server's clock: the real vague-1 dates are long past, and
 * campaigns are data. Opening 30 days ago, order deadline in 30 days, closing in 200 (after the 120-day dossier delay).
 */
export function campaignAround(nowMs: number, id = 'test-ms1', overrides: Partial<Campaign> = {}): Campaign {
  const today = parisCivilDate(new Date(nowMs));
  return campaign('vague1-ms1', { id, openingDate: addCalendarDays(today, -30), orderDeadline: addCalendarDays(today, 30), closingDate: addCalendarDays(today, 200), ...overrides });
}

export const historiesDir = path.resolve(__dirname, '..', 'histories');

export interface RegisterOptions {
  request?: Partial<BdcRequest>;
  /** the OG's ESSMS in the extraction; by default one more than the BDC covers (tranche B for 2) */
  ogEssmsCount?: number;
  campaign?: Partial<Campaign>;
  /** puts the request's OG and ESSMS into the FINESS reference first (default); false leaves it as imported */
  seedReference?: boolean;
}

export interface Harness {
  env: TestWorkflowEnvironment;
  ledger: Ledger;
  /** how another process reaches the ledger (PostgreSQL backend only) */
  databaseUrl?: string;
  /** present with the api option */
  api: ApiHandle;
  /** puts a request's OG and ESSMS into the seeded FINESS extraction */
  seed(request: Partial<BdcRequest>, ogEssmsCount: number): Promise<void>;
  /** registers a BDC through the real intake (ledger claims + workflow start) */
  register(options?: RegisterOptions): Promise<{ bdcId: string; request: BdcRequest }>;
  /** the intake as a caller reaches it, with any raw request, on the campaign around the server's clock */
  intake(rawRequest: unknown, options?: Omit<RegisterOptions, 'request'>): Promise<{ workflowId: string }>;
  finess: FinessReference;
  send<E extends { eventId: string }>(bdcId: string, update: UpdateDefinition<BdcView, [E]>, e: E): Promise<BdcView>;
  state(bdcId: string): Promise<BdcView>;
  result(bdcId: string): Promise<BdcView>;
  now(): Promise<number>;
  /** moves the test server's clock to just past an instant (timers due by then fire) */
  sleepPast(instant: string, extraMs?: number): Promise<void>;
  /** polls the state until the status is reached (the worker processes fired timers asynchronously) */
  waitForStatus(bdcId: string, status: BdcView['status']): Promise<BdcView>;
  /** stops the worker as a deployment or a crash would (in-flight tasks finish), then starts a new one */
  restartWorker(): Promise<void>;
  /** records the receipt of everything still due and answers the final state */
  reimburseInFull(bdcId: string): Promise<BdcView>;
  /** the BDC's ledger records as [kind, cents] pairs, in the order they were written */
  money(bdcId: string): Promise<{ orders: [string, number][]; demands: number[]; receipts: number[] }>;
  /**
   * With RECORD_HISTORIES=1 (`npm run histories:record`), saves the BDC's history as
   * test/histories/<path>.json, which `npm test` replays against the current workflow code.
   */
  keepHistory(bdcId: string, path: string): Promise<void>;
  close(): Promise<void>;
}

/** A worker on a real Temporal server (time-skipping by default) with the real ledger on PGlite. */
export interface HarnessOptions {
  server?: 'time-skipping' | 'dev';
  interceptors?: BdcWorkerOptions['interceptors'];
  database?: Backend;
  /** false: no seeded FINESS extraction; the test imports its own and registers with seedReference: false */
  seedReference?: boolean;
  /** also serve the HTTP API on a free port, with one token per role */
  api?: boolean;
}

export interface ApiHandle {
  url: string;
  /** bearer secrets: operator, admin, and éditeurs editeur-acme and editeur-rival */
  tokens: { operator: string; admin: string; acme: string; rival: string };
  call(method: string, path: string, options?: { token?: string; body?: unknown; raw?: string }): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function startHarness({ server = 'time-skipping', interceptors, database, seedReference: seeded = true, api: withApi = false }: HarnessOptions = {}): Promise<Harness> {
  const env = await (server === 'dev' ? devServerEnvironment() : timeSkippingEnvironment());
  const { ledger, url: databaseUrl } = await openTestDatabase(database);
  const taskQueue = `bdc-${Math.random().toString(36).slice(2)}`;
  const startWorker = async () => {
    const w: Worker = await createBdcWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, ledger, client: env.client, workflowBundle, interceptors });
    return { worker: w, running: w.run() };
  };
  let current = await startWorker();
  const client = env.client;
  const finess = new FinessReference(ledger.sql);
  const extractionId = seeded ? await finess.beginExtraction(parisCivilDate(new Date(await env.currentTimeMs())), 'harness', 'utf-8') : 0;
  if (seeded) await finess.completeExtraction(extractionId, { read: 0, kept: 0, rejected: 0 });
  /** the request's OG with its ESSMS (EHPAD) and more of its establishments up to ogEssmsCount */
  const seed = async (request: Partial<BdcRequest>, ogEssmsCount: number) => {
    const og = typeof request.ogFiness === 'string' ? request.ogFiness : freshFiness();
    const essms = Array.isArray(request.essms) ? request.essms.filter((e) => typeof e === 'string') : [];
    const more = Array.from({ length: Math.max(0, ogEssmsCount - essms.length) }, freshFiness);
    await finess.insertEstablishments(extractionId, [...essms, ...more].map((nofinesset) => ({ nofinesset, nofinessej: og, rs: 'EHPAD', departement: '75', ...categories.ehpad })));
  };
  const api = withApi ? await serveApi({ client, ledger, finess, campaigns: [campaignAround(await env.currentTimeMs())], taskQueue, now: () => env.currentTimeMs() }) : undefined;
  const harness: Harness = {
    env,
    ledger,
    databaseUrl,
    get api() {
      if (!api) throw new Error('start the harness with { api: true }');
      return api.handle;
    },
    seed,
    async register({ request: overrides = {}, ogEssmsCount, campaign: campaignOverrides } = {}) {
      const orderDate = parisCivilDate(new Date(await env.currentTimeMs()));
      const request = bdcRequest({ campaignId: 'test-ms1', orderDate, ...overrides });
      const { workflowId } = await harness.intake(request, { ogEssmsCount: ogEssmsCount ?? request.essms.length + 1, campaign: campaignOverrides });
      return { bdcId: workflowId, request };
    },
    async intake(rawRequest, { ogEssmsCount = 3, campaign: campaignOverrides = {}, seedReference = seeded } = {}) {
      if (seedReference) await seed(rawRequest as Partial<BdcRequest>, ogEssmsCount);
      // the server's clock moves as tests skip time: the campaign follows it
      const campaigns = [campaignAround(await env.currentTimeMs(), 'test-ms1', campaignOverrides)];
      return registerBdc({ client, ledger, taskQueue, campaigns, finess, now: () => env.currentTimeMs() }, rawRequest, event());
    },
    finess,
    send: (bdcId, update, e) => sendBdcEvent(client, bdcId, update, e),
    state: (bdcId) => client.workflow.getHandle(bdcId).query(bdcMessages.state),
    async result(bdcId) {
      // Awaiting a result lets the time-skipping server skip time (up to years) whenever nothing is
      // scheduled: wait in real time for the workflow to close, then read its final state by query.
      const handle = client.workflow.getHandle(bdcId);
      let status = (await handle.describe()).status.name;
      for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (await handle.describe()).status.name;
      }
      if (status !== 'COMPLETED') throw new Error(`workflow ${bdcId} ended ${status}`);
      return handle.query(bdcMessages.state);
    },
    now: async () => (await env.currentTimeMs()),
    async sleepPast(instant, extraMs = 1) {
      await env.sleep(Math.max(0, Date.parse(instant) - (await env.currentTimeMs()) + extraMs));
    },
    async waitForStatus(bdcId, status) {
      const handle = client.workflow.getHandle(bdcId);
      for (let i = 0; ; i++) {
        const view = await handle.query(bdcMessages.state);
        if (view.status === status) return view;
        if (i > 100) throw new Error(`${bdcId} is ${view.status}, never reached ${status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async restartWorker() {
      current.worker.shutdown();
      await current.running;
      current = await startWorker();
    },
    async reimburseInFull(bdcId) {
      const { amounts } = await harness.state(bdcId);
      await harness.send(bdcId, bdcMessages.reimbursementReceived, { ...event(), amountCents: amounts.toReimburseCents - amounts.reimbursedCents, receivedAt: iso(await env.currentTimeMs()) });
      return harness.result(bdcId);
    },
    async money(bdcId) {
      const entry = (await ledger.entries(bdcId)).get(bdcId);
      return {
        orders: (entry?.paymentOrders ?? []).map((o) => [o.kind, o.amountCents] as [string, number]),
        demands: (entry?.demands ?? []).map((d) => d.amountCents),
        receipts: (entry?.receipts ?? []).map((r) => r.amountCents),
      };
    },
    async keepHistory(bdcId, name) {
      if (process.env.RECORD_HISTORIES !== '1') return;
      const history = await client.workflow.getHandle(bdcId).fetchHistory();
      fs.mkdirSync(historiesDir, { recursive: true });
      fs.writeFileSync(path.join(historiesDir, `${name}.json`), JSON.stringify(historyToPlainJson(history), null, 1) + '\n');
    },
    async close() {
      await api?.close();
      current.worker.shutdown();
      await current.running;
      await ledger.sql.close();
      await env.teardown();
    },
  };
  return harness;
}

async function serveApi(deps: Omit<ApiDeps, 'tokens' | 'logger'>): Promise<{ handle: ApiHandle; close: () => Promise<void> }> {
  const made = {
    operator: newToken({ name: 'ops-1', role: 'operator' }),
    admin: newToken({ name: 'admin-1', role: 'admin' }),
    acme: newToken({ name: 'acme-api', role: 'editeur', editeurId: 'editeur-acme' }),
    rival: newToken({ name: 'rival-api', role: 'editeur', editeurId: 'editeur-rival' }),
  };
  const app = await buildApi({ ...deps, tokens: new TokenRegistry(Object.values(made).map((m) => m.entry)), logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const handle: ApiHandle = {
    url,
    tokens: { operator: made.operator.secret, admin: made.admin.secret, acme: made.acme.secret, rival: made.rival.secret },
    async call(method, path, { token, body, raw } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, body: type.includes('json') ? JSON.parse(text) : text };
    },
  };
  return { handle, close: () => app.close() };
}

/** One harness per test file (one environment per file), started before its tests, torn down after. */
export function harnessPerFile(options?: HarnessOptions): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
  });
  afterAll(() => started?.close());
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error('the harness is used before beforeAll started it');
      return started[key as keyof Harness];
    },
  });
}

export const iso = (ms: number) => new Date(ms).toISOString();
