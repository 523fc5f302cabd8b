import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { UpdateDefinition } from '@temporalio/common';
import { registerBdc } from '../../client/intake';
import type { BdcRequest } from '../../domain/bdc';
import type { BdcView } from '../../domain/bdc-view';
import { parisCivilDate } from '../../domain/calendar';
import type { Campaign } from '../../domain/campaign';
import type { FinessReference } from '../../db/finess';
import type { Ledger } from '../../db/ledger';
import { sendBdcEvent } from '../../temporal/bdc-gateway';
import type { BdcWorkerOptions } from '../../worker/create-worker';
import { bdcMessages } from '../../workflows/messages';
import { startLocalEngine, type LocalApi } from '../../scripts/local-engine';
import { bdcRequest, event } from './bdc-fixtures';
import { openTestDatabase, type Backend } from './database';
import { eventually } from './eventually';
import { historyToPlainJson } from './histories';
import { workflowBundle } from './workflow-bundle';

export { campaignAround } from '../../scripts/local-engine';
export { workflowBundle } from './workflow-bundle';

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

export type ApiHandle = LocalApi;

export async function startHarness({ server = 'time-skipping', interceptors, database, seedReference: seeded = true, api: withApi = false }: HarnessOptions = {}): Promise<Harness> {
  const { ledger, url: databaseUrl } = await openTestDatabase(database);
  const local = await startLocalEngine({ server, sql: ledger.sql, workflowBundle, interceptors, seedReference: seeded, api: withApi });
  const { env, seed, finess, api } = local;
  const client = env.client;
  const harness: Harness = {
    env,
    ledger,
    databaseUrl,
    get api() {
      if (!api) throw new Error('start the harness with { api: true }');
      return api;
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
      return registerBdc(await local.engine(campaignOverrides), rawRequest, event());
    },
    finess,
    send: (bdcId, update, e) => sendBdcEvent(client, bdcId, update, e),
    state: (bdcId) => client.workflow.getHandle(bdcId).query(bdcMessages.state),
    async result(bdcId) {
      // Awaiting a result lets the time-skipping server skip time (up to years) whenever nothing is
      // scheduled: wait in real time for the workflow to close, then read its final state by query.
      const handle = client.workflow.getHandle(bdcId);
      const status = await eventually(async () => {
        const { name } = (await handle.describe()).status;
        return name !== 'RUNNING' && name;
      }, { what: `the end of ${bdcId}` });
      if (status !== 'COMPLETED') throw new Error(`workflow ${bdcId} ended ${status}`);
      return handle.query(bdcMessages.state);
    },
    now: async () => (await env.currentTimeMs()),
    async sleepPast(instant, extraMs = 1) {
      await env.sleep(Math.max(0, Date.parse(instant) - (await env.currentTimeMs()) + extraMs));
    },
    async waitForStatus(bdcId, status) {
      const handle = client.workflow.getHandle(bdcId);
      return eventually(async () => {
        const view = await handle.query(bdcMessages.state);
        if (view.status !== status) throw new Error(`${bdcId} is ${view.status}, never reached ${status}`);
        return view;
      });
    },
    restartWorker: () => local.restartWorker(),
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
      await local.close();
      await ledger.sql.close();
    },
  };
  return harness;
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
