import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { UpdateDefinition } from '@temporalio/common';
import type { EngineContext } from '../../client/context';
import { sentOnceCaughtUp } from '../../client/catching-up';
import { registerBdc } from '../../client/intake';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../../client/context';
import type { BdcRequest, BdcView, EventAnswer } from '../../domain/bdc-view';
import type { BdcEvent } from '../../domain/events';
import { parisCivilDate } from '../../domain/calendar';
import type { Campaign } from '../../domain/campaign';
import type { FinessReference } from '../../db/finess';
import type { Ledger } from '../../db/ledger';
import { sendBdcEvent } from '../../temporal/bdc-gateway';
import type { BdcWorkerOptions } from '../../worker/create-worker';
import { bdcMessages } from '../../contract/bdc';
import { startLocalEngine, type LocalApi, type LocalEngineOptions } from '../../scripts/local-engine';
import { bdcRequest, operator } from './bdc-fixtures';
import { openTestDatabase, type Backend } from './database';
import { eventually } from './eventually';
import { historyToPlainJson } from './histories';
import { workflowBundle } from './workflow-bundle';
import { startMailbox, type Mailbox } from './mailbox';
import { ordonnateursOnDuty } from './ordonnateurs';
import { enrolInDatabase } from '../../scripts/samples/enrolment';

/** the people the tests' provider knows: the demo people, and one person for each test éditeur */
const testPeopleFile = path.join(__dirname, 'people.json');

export { campaignAround } from '../../scripts/local-engine';
export { workflowBundle } from './workflow-bundle';

export const historiesDir = path.resolve(__dirname, '..', 'histories');

/** The operator the harness registers BDCs and decides as. */
export const harnessOperator: Caller = { actor: operator, scope: `operator.${operator.id}` };

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
  /** present with the mail option */
  mailbox: Mailbox;
  /** the dev server's Web UI (webUi option) */
  webUiUrl: string;
  /** puts a request's OG and ESSMS into the seeded FINESS extraction */
  seed(request: Partial<BdcRequest>, ogEssmsCount: number): Promise<void>;
  /**
   * registers a BDC through the real intake (record, claims, workflow start); see intake for its solution
   */
  register(options?: RegisterOptions): Promise<{ bdcId: string; request: BdcRequest }>;
  /**
   * the intake as a caller reaches it, with any raw request, on the campaign around the server's clock;
   * the request's solution is granted in the registry first, unless it says `solutionReferenced: false`
   */
  intake(
    rawRequest: unknown,
    options?: Omit<RegisterOptions, 'request'> & { eventId?: string },
  ): Promise<{ bdcId: string; created: boolean; started: boolean }>;
  /** the engine's services, as the API calls them (on the campaign around the server's clock) */
  engine(): Promise<EngineContext>;
  /** the ANS grants a solution in the registry (what a solution decision records) */
  grant(solutionId: string, editeurId: string): Promise<void>;
  finess: FinessReference;
  /** delivers an event to a BDC's workflow; answers the BDC from its record once the event is recorded */
  send<E extends BdcEvent>(bdcId: string, update: UpdateDefinition<EventAnswer, [E]>, e: E): Promise<BdcView>;
  /** the BDC from its record (PostgreSQL): state and audit trail */
  state(bdcId: string): Promise<BdcView>;
  /** waits for the BDC's workflow to end (COMPLETED), then answers its record */
  result(bdcId: string): Promise<BdcView>;
  now(): Promise<number>;
  /** moves the test server's clock to just past an instant (timers due by then fire) */
  sleepPast(instant: string, extraMs?: number): Promise<void>;
  /** polls the state until the status is reached (the worker processes fired timers asynchronously) */
  waitForStatus(bdcId: string, status: BdcView['status']): Promise<BdcView>;
  /** stops the worker as a deployment or a crash would (in-flight tasks finish), then starts a new one */
  restartWorker(): Promise<void>;
  /** no worker runs meanwhile: the events sent wait on the server, then reach the workflow together */
  withWorkerPaused<T>(send: () => T): Promise<T>;
  /** no worker runs until resumeWorker: what is sent meanwhile waits on the server, however long */
  pauseWorker(): Promise<void>;
  resumeWorker(): Promise<void>;
  /** records the receipt of everything still due and answers the final state */
  reimburseInFull(bdcId: string): Promise<BdcView>;
  /** the BDC's ledger records as [kind, cents] pairs, in the order they were written */
  money(bdcId: string): Promise<{ orders: [string, number][]; demands: number[]; receipts: number[] }>;
  /**
   * With RECORD_HISTORIES=1 (`npm run histories:record`), saves the workflow's history as
   * test/histories/release-1/<name>.json, which `npm test` replays against the current workflow code.
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
  unauthenticatedPerMinute?: number;
  dataConverter?: BdcWorkerOptions['dataConverter'];
  /** a real SMTP server the outbox is delivered to (h.mailbox) */
  mail?: boolean;
  /** `host:port` of the test's own listeners whose webhooks may be plain HTTP on loopback; none by default */
  webhookAllowHttpHosts?: string[];
  /** 'on-duty' (default): ordonnateurs validate every money proposal soon after it is made; 'absent': the test does */
  ordonnateurs?: 'on-duty' | 'absent';
  /**
   * éditeurs enrolled (a fixture) when the harness starts: no order is validated for one that is not
   * (DOMAIN.md "Éditeurs enrolled"); [] for the tests that enrol one themselves
   */
  enrolled?: string[];
  /** runs the journal's keeper (checkpoints, verifications) as the worker's process does */
  journal?: LocalEngineOptions['journal'];
  /**
   * how the local OpenID provider people sign in to the console with behaves (`tamper`); with the API,
   * it always runs, with the people of test/support/people.json (the demo people and one person for each
   * test éditeur): the console opens sessions for people only
   */
  people?: LocalEngineOptions['people'];
  /** the dev server's Web UI, its codec endpoint the console's (server 'dev' and api) */
  webUi?: boolean;
}

export type ApiHandle = LocalApi;

export async function startHarness({
  server = 'time-skipping',
  interceptors,
  database,
  seedReference: seeded = true,
  api: withApi = false,
  unauthenticatedPerMinute,
  dataConverter,
  mail = false,
  webhookAllowHttpHosts,
  ordonnateurs = 'on-duty',
  enrolled = ['editeur-acme', 'editeur-rival'],
  journal,
  people,
  webUi,
}: HarnessOptions = {}): Promise<Harness> {
  const { ledger, url: databaseUrl } = await openTestDatabase(database);
  for (const editeurId of enrolled) await enrolInDatabase(ledger.sql, editeurId);
  const mailbox = mail ? await startMailbox() : undefined;
  const local = await startLocalEngine({
    server,
    sql: ledger.sql,
    workflowBundle,
    interceptors,
    seedReference: seeded,
    api: withApi,
    unauthenticatedPerMinute,
    dataConverter,
    ...(mailbox ? { smtpUrl: mailbox.url } : {}),
    ...(webhookAllowHttpHosts ? { webhookAllowHttpHosts } : {}),
    ...(journal ? { journal } : {}),
    ...(withApi ? { people: { file: testPeopleFile, ...people } } : {}),
    ...(webUi ? { webUi } : {}),
  });
  const { env, seed, finess, api } = local;
  const client = (await local.engine()).client;
  const grant = async (solutionId: string, editeurId: string) => {
    await (
      await local.engine()
    ).solutions.decide(solutionId, {
      decision: 'granted',
      decidedOn: parisCivilDate(new Date(await env.currentTimeMs())),
      eventId: `harness:${randomUUID()}`,
      actor: operator.id,
      editeurId,
    });
  };
  const state = async (bdcId: string): Promise<BdcView> => {
    const view = await (await local.engine()).records.get(bdcId);
    if (!view) throw new Error(`the record does not know ${bdcId}`);
    return view;
  };
  const harness: Harness = {
    env,
    ledger,
    databaseUrl,
    get api() {
      if (!api) throw new Error('start the harness with { api: true }');
      return api;
    },
    get webUiUrl() {
      if (!local.webUiUrl) throw new Error('start the harness with { webUi: true }');
      return local.webUiUrl;
    },
    get mailbox() {
      if (!mailbox) throw new Error('start the harness with { mail: true }');
      return mailbox;
    },
    seed,
    async register({ request: overrides = {}, ogEssmsCount, campaign: campaignOverrides } = {}) {
      const orderDate = parisCivilDate(new Date(await env.currentTimeMs()));
      const pending = overrides.solutionReferenced === false;
      const request = bdcRequest({
        campaignId: 'test-ms1',
        orderDate,
        ...(pending ? { solutionId: `pending-${randomUUID().slice(0, 8)}` } : {}),
        ...overrides,
      });
      const { bdcId } = await harness.intake(request, {
        ogEssmsCount: ogEssmsCount ?? request.essms.length + 1,
        campaign: campaignOverrides,
      });
      return { bdcId, request };
    },
    async intake(
      rawRequest,
      { ogEssmsCount = 3, campaign: campaignOverrides = {}, seedReference = seeded, eventId = randomUUID() } = {},
    ) {
      const raw = rawRequest as Partial<BdcRequest>;
      if (seedReference) await seed(raw, ogEssmsCount);
      if (raw.solutionReferenced !== false && typeof raw.solutionId === 'string' && typeof raw.editeurId === 'string')
        await grant(raw.solutionId, raw.editeurId).catch(() => undefined);
      return registerBdc(await local.engine(campaignOverrides), harnessOperator, rawRequest, eventId);
    },
    grant,
    engine: () => local.engine(),
    finess,
    async send(bdcId, update, e) {
      // as the engine's services send (client/catching-up.ts): a test acting on what the record says
      // waits for a workflow that has not heard back from its last commit yet
      await sentOnceCaughtUp(
        () => sendBdcEvent(client, bdcId, update, e),
        async () => (await state(bdcId)).status,
      );
      return state(bdcId);
    },
    state,
    async result(bdcId) {
      // Awaiting a result lets the time-skipping server skip time (up to years) whenever nothing is
      // scheduled: wait in real time for the workflow to close, then read its final state by query.
      const handle = client.workflow.getHandle(bdcId);
      const status = await eventually(
        async () => {
          const { name } = (await handle.describe()).status;
          return name !== 'RUNNING' && name;
        },
        { what: `the end of ${bdcId}` },
      );
      if (status !== 'COMPLETED') throw new Error(`workflow ${bdcId} ended ${status}`);
      return state(bdcId);
    },
    now: async () => await env.currentTimeMs(),
    async sleepPast(instant, extraMs = 1) {
      await env.sleep(Math.max(0, Date.parse(instant) - (await env.currentTimeMs()) + extraMs));
    },
    async waitForStatus(bdcId, status) {
      return eventually(
        async () => {
          const view = await state(bdcId);
          if (view.status !== status) throw new Error(`${bdcId} is ${view.status}, never reached ${status}`);
          return view;
        },
        // a busy machine (CI with both cores taken) may take its time; polling gently leaves the database to the worker
        { budgetMs: 120_000, everyMs: 100 },
      );
    },
    restartWorker: () => local.restartWorker(),
    pauseWorker: () => local.pauseWorker(),
    resumeWorker: () => local.resumeWorker(),
    async withWorkerPaused(send) {
      await local.pauseWorker();
      const sent = send();
      // give the server the time to admit what was sent, before a worker polls again
      await new Promise((r) => setTimeout(r, 1_000));
      await local.resumeWorker();
      return sent;
    },
    async reimburseInFull(bdcId) {
      const { amounts } = await harness.state(bdcId);
      await harness.send(bdcId, bdcMessages.reimbursementReceived, {
        eventId: randomUUID(),
        actor: operator,
        amountCents: amounts.toReimburseCents - amounts.reimbursedCents,
        receivedAt: iso(await env.currentTimeMs()),
      });
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
      // the histories of the first release (README, "Changing a workflow"): frozen once it ships
      const file = path.join(historiesDir, 'release-1', `${name}.json`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(historyToPlainJson(history), null, 1) + '\n');
    },
    async close() {
      await onDuty?.stop();
      await local.close();
      await mailbox?.stop();
      await ledger.sql.close();
    },
  };
  const onDuty = ordonnateurs === 'on-duty' ? ordonnateursOnDuty(() => local.engine()) : undefined;
  return harness;
}

/**
 * One harness per test file (one environment per file), started before its tests, torn down after.
 * Options known only once an earlier beforeAll ran (a listener's port) are given as a function.
 */
export function harnessPerFile(options?: HarnessOptions | (() => HarnessOptions)): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(typeof options === 'function' ? options() : options);
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
