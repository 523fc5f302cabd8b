import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { newToken, TokenRegistry, type TokenEntry } from '../api/auth';
import type { ApiDeps } from '../api/context';
import { TokenFile } from '../api/token-file';
import { randomBytes } from 'node:crypto';
import { freePort } from './free-port';
import { buildApi } from '../api/server';
import { mountConsole } from '../console/server';
import { engineContext, type EngineContext } from '../client/context';
import { tokenRevoked } from '../client/tokens';
import { createLogger } from '../config/logger';
import type { BdcRequest } from '../domain/bdc';
import { addCalendarDays, parisCivilDate } from '../domain/calendar';
import type { Campaign } from '../domain/campaign';
import { shippedCampaigns } from '../domain/campaigns';
import { FinessReference } from '../db/finess';
import { Ledger } from '../db/ledger';
import type { Sql } from '../db/sql';
import { executable, temporalCliPath, temporalTestServerPath } from '../temporal/binaries';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { createBdcWorker } from '../worker/create-worker';
import { JournalKeeper } from '../client/journal-keeper';
import type { JournalSigner } from '../client/journal-keys';
import { NotificationDispatcher } from '../notifications/dispatcher';
import { SecretBox } from '../notifications/secret-box';
import { smtpMailer } from '../notifications/email';
import { installTemporalRuntime } from '../worker/runtime';
import { allBdcSearchAttributes } from '../contract/search-attributes';
import { categories } from './samples/finess-extraction';
import { freshFiness } from './samples/bdc';
import { localIdentity } from '../identity/local-identity';

/**
 * The whole engine in this process on a Temporal server of its own (the dev server, or the
 * time-skipping test server), for the tests' harness and the benchmarks: a worker, optionally the
 * HTTP API with one token per role, and a FINESS reference extraction to seed OGs into.
 */
export interface LocalEngineOptions {
  server?: 'time-skipping' | 'dev';
  /** a migrated database, owned (and closed) by the caller */
  sql: Sql;
  workflowBundle: { codePath: string } | WorkflowBundleWithSourceMap;
  interceptors?: WorkerOptions['interceptors'];
  /** false: no seeded FINESS extraction (the caller imports one) */
  seedReference?: boolean;
  api?: boolean;
  /** the API's allowance of requests without a valid token per minute (production's default otherwise) */
  unauthenticatedPerMinute?: number;
  /** a payload codec for the worker and the engine's client (the tests' default: none) */
  dataConverter?: WorkerOptions['dataConverter'];
  /** delivers the outbox (emails to this SMTP server, webhooks), as the worker's process does */
  smtpUrl?: string;
  /** the `host:port` of listeners whose webhooks may be plain HTTP on loopback (WEBHOOK_ALLOW_HTTP_HOSTS); none by default */
  webhookAllowHttpHosts?: string[];
  /** runs the journal's keeper as the worker's process does (checkpoints, verifications), with this key */
  journal?: { signer: JournalSigner; recipients?: string[]; checkpointEveryMs?: number; verifyEveryMs?: number };
  /**
   * people sign in to the console through a local OpenID provider (identity/demo-people.json's, their
   * roles granted, or `file`'s), as on `npm start`; a token opens no console session. `tamper` spoils its ID tokens.
   */
  people?: LocalPeople;
  /**
   * the dev server's Web UI too (server 'dev' and the API only), its codec endpoint the console's, as
   * `npm start` configures it: both on free ports of 127.0.0.1 chosen before either starts
   */
  webUi?: boolean;
}

export interface LocalApi {
  url: string;
  /** bearer secrets: operator, two ordonnateurs, comptable, controleur, admin, and éditeurs editeur-acme and editeur-rival */
  tokens: {
    operator: string;
    ordonnateur: string;
    ordonnateur2: string;
    comptable: string;
    controleur: string;
    admin: string;
    acme: string;
    rival: string;
  };
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface LocalEngine {
  env: TestWorkflowEnvironment;
  ledger: Ledger;
  finess: FinessReference;
  /** the engine's services, on a campaign `test-ms1` around the server's clock (which moves as tests skip time) */
  engine(overrides?: Partial<Campaign>): Promise<EngineContext>;
  /** puts a request's OG and ESSMS into the seeded extraction, the OG with ogEssmsCount establishments */
  seed(request: Partial<BdcRequest>, ogEssmsCount: number): Promise<void>;
  api?: LocalApi;
  /** the dev server's Web UI (webUi option) */
  webUiUrl?: string;
  /** stops the worker as a deployment or a crash would (in-flight tasks finish), then starts a new one */
  restartWorker(): Promise<void>;
  /** stops the worker (nothing runs until resumeWorker): events sent meanwhile wait on the server */
  pauseWorker(): Promise<void>;
  resumeWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A vague-1 campaign moved around a clock: the real vague-1 dates are long past, and campaigns are
 * data. Opening 30 days ago, order deadline in 30 days, closing in 200 (after the 120-day dossier delay).
 * It pins no FINESS extraction (the real one pins the DREES extraction of 2022): tranches come from
 * the latest import, the generated one of the test.
 */
export function campaignAround(nowMs: number, id = 'test-ms1', overrides: Partial<Campaign> = {}): Campaign {
  const today = parisCivilDate(new Date(nowMs));
  const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;
  return {
    ...ms1,
    finessExtraction: undefined,
    id,
    openingDate: addCalendarDays(today, -30),
    orderDeadline: addCalendarDays(today, 30),
    closingDate: addCalendarDays(today, 200),
    ...overrides,
  };
}

let runtimeInstalled = false;
/** The SDK's Runtime is process-wide: installed once, logging at LOG_LEVEL (warn by default). */
function installQuietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  installTemporalRuntime(createLogger(process.env.LOG_LEVEL ?? 'warn'));
}

export async function temporalServer(
  server: 'time-skipping' | 'dev',
  webUi?: { port: number; codecEndpoint: string },
): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  if (server === 'dev') {
    return TestWorkflowEnvironment.createLocal({
      server: {
        executable: executable(temporalCliPath()),
        searchAttributes: allBdcSearchAttributes,
        ...(webUi
          ? {
              ip: '127.0.0.1',
              ui: true,
              uiPort: webUi.port,
              extraArgs: ['--ui-codec-endpoint', webUi.codecEndpoint, '--ui-disable-news-fetch'],
            }
          : {}),
      },
    });
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executable(temporalTestServerPath()) },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export async function startLocalEngine({
  server = 'time-skipping',
  sql,
  workflowBundle,
  interceptors,
  seedReference = true,
  api: withApi = false,
  unauthenticatedPerMinute,
  dataConverter,
  smtpUrl,
  webhookAllowHttpHosts = [],
  journal,
  people,
  webUi = false,
}: LocalEngineOptions): Promise<LocalEngine> {
  if (webUi && (server !== 'dev' || !withApi)) throw new Error('the Web UI comes with the dev server and the API');
  const ports = webUi ? { api: await freePort(), ui: await freePort() } : undefined;
  const webUiUrl = ports ? `http://127.0.0.1:${ports.ui}` : undefined;
  const env = await temporalServer(
    server,
    ports ? { port: ports.ui, codecEndpoint: `http://127.0.0.1:${ports.api}/console/codec` } : undefined,
  );
  const client = dataConverter
    ? new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter })
    : env.client;
  const ledger = new Ledger(sql);
  const finess = new FinessReference(sql);
  const taskQueue = `bdc-${Math.random().toString(36).slice(2)}`;
  const startWorker = async () => {
    const worker: Worker = await createBdcWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      sql,
      client,
      workflowBundle,
      interceptors,
      dataConverter,
      campaigns: async () => (await engine()).campaigns,
    });
    return { worker, running: worker.run() };
  };
  let current: Awaited<ReturnType<typeof startWorker>> | undefined = await startWorker();
  const stopWorker = async () => {
    if (!current) return;
    current.worker.shutdown();
    await current.running;
    current = undefined;
  };
  const extractionId = seedReference
    ? await finess.beginExtraction(parisCivilDate(new Date(await env.currentTimeMs())), 'local engine', 'utf-8')
    : 0;
  if (seedReference) await finess.completeExtraction(extractionId, { read: 0, kept: 0, rejected: 0 });
  // a key of this engine's own for webhook secrets, as PAYLOAD_KEYS would give one
  const webhooks = {
    policy: { allowHttp: new Set(webhookAllowHttpHosts) },
    secrets: new SecretBox({ current: 'local-test', keys: { 'local-test': randomBytes(32).toString('base64') } }),
  };
  const engine = async (overrides: Partial<Campaign> = {}) =>
    engineContext({
      client,
      sql,
      campaigns: [campaignAround(await env.currentTimeMs(), 'test-ms1', overrides)],
      taskQueue,
      now: () => env.currentTimeMs(),
      webhooks,
    });
  const api = withApi
    ? await serveApi(await engine(), {
        limits: unauthenticatedPerMinute ? { unauthenticatedPerMinute } : {},
        payloadCodec: dataConverter?.payloadCodecs?.[0],
        ...(people ? { people } : {}),
        ...(ports ? { port: ports.api, temporalUiUrl: webUiUrl } : {}),
      })
    : undefined;
  const dispatcher = new NotificationDispatcher(sql, {
    logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
    everyMs: 200,
    ...(smtpUrl ? { mailer: smtpMailer(smtpUrl, 'SONS — ASP <sons@test.localhost>') } : {}),
    webhooks,
  });
  dispatcher.start();
  const keeper = journal
    ? new JournalKeeper(sql, journal.signer, {
        checkpointEveryMs: journal.checkpointEveryMs ?? 3_600_000,
        verifyEveryMs: journal.verifyEveryMs ?? 86_400_000,
        recipients: journal.recipients ?? [],
        tickMs: 200,
        logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
      })
    : undefined;
  await keeper?.start();
  return {
    env,
    ledger,
    finess,
    engine,
    api: api?.handle,
    webUiUrl,
    async seed(request, ogEssmsCount) {
      const og = typeof request.ogFiness === 'string' ? request.ogFiness : freshFiness();
      const essms = Array.isArray(request.essms) ? request.essms.filter((e) => typeof e === 'string') : [];
      const more = Array.from({ length: Math.max(0, ogEssmsCount - essms.length) }, freshFiness);
      await finess.insertEstablishments(
        extractionId,
        [...essms, ...more].map((nofinesset) => ({
          nofinesset,
          nofinessej: og,
          rs: 'EHPAD',
          departement: '75',
          ...categories.ehpad,
        })),
      );
    },
    async restartWorker() {
      await stopWorker();
      current = await startWorker();
    },
    pauseWorker: stopWorker,
    async resumeWorker() {
      current ??= await startWorker();
    },
    async close() {
      await keeper?.stop();
      await dispatcher.stop();
      await api?.close();
      await stopWorker();
      await env.teardown();
    },
  };
}

/** How a test or a benchmark serves the API and the console on an engine: production's defaults unless said. */
/** The local OpenID provider's people: identity/demo-people.json's unless `file`; `tamper` spoils its ID tokens. */
export interface LocalPeople {
  file?: string;
  tamper?: 'aud' | 'nonce' | 'exp';
}

export interface ServeOptions {
  limits?: ApiDeps['limits'];
  trustedProxies?: string[];
  payloadCodec?: PayloadCodec;
  /** more tokens than the four of every API (a test that revokes one, or lets one expire) */
  extraTokens?: TokenEntry[];
  /** and those of a tokens file, read again when it changes (as API_TOKENS_FILE is) */
  tokensFile?: string;
  /** people sign in through a local OpenID provider (LocalEngineOptions.people) */
  people?: LocalPeople;
  /** the Temporal Web UI the console links to (and whose origin its codec endpoint answers) */
  temporalUiUrl?: string;
  /** the port to listen on (a free one by default) */
  port?: number;
}

/** The HTTP API and the console on an engine, on a free port of 127.0.0.1, with one token per role. */
export async function serveApi(
  engine: EngineContext,
  {
    limits,
    trustedProxies,
    payloadCodec,
    extraTokens = [],
    tokensFile,
    people,
    temporalUiUrl,
    port: requestedPort = 0,
  }: ServeOptions = {},
): Promise<{ handle: LocalApi; close: () => Promise<void> }> {
  const made = {
    operator: newToken({ name: 'ops-1', role: 'operator' }),
    ordonnateur: newToken({ name: 'ordo-1', role: 'ordonnateur' }),
    ordonnateur2: newToken({ name: 'ordo-2', role: 'ordonnateur' }),
    comptable: newToken({ name: 'compta-1', role: 'comptable' }),
    controleur: newToken({ name: 'controle-1', role: 'controleur' }),
    admin: newToken({ name: 'admin-1', role: 'admin' }),
    acme: newToken({ name: 'acme-api', role: 'editeur', editeurId: 'editeur-acme' }),
    rival: newToken({ name: 'rival-api', role: 'editeur', editeurId: 'editeur-rival' }),
  };
  const fixed = [...Object.values(made).map((m) => m.entry), ...extraTokens];
  const file = tokensFile ? new TokenFile(tokensFile) : undefined;
  // the same list while the file does not change: the registry indexes it once per version
  let all = { from: undefined as TokenEntry[] | undefined, entries: fixed };
  const source = {
    current() {
      const fromFile = file?.current();
      if (fromFile && fromFile !== all.from) all = { from: fromFile, entries: [...fixed, ...fromFile] };
      return all.entries;
    },
  };
  const tokens = new TokenRegistry(source, { isRevoked: tokenRevoked(engine) });
  // with people, the console's address is known before it listens: the provider sends people back there
  const port = people && !requestedPort ? await freePort() : requestedPort;
  const identity = people
    ? await localIdentity({
        engine,
        port: await freePort(),
        consoleUrl: `http://127.0.0.1:${port}`,
        secondFactorAmr: ['mfa'],
        ...(people.tamper ? { tamper: people.tamper } : {}),
        ...(people.file ? { peopleFile: people.file } : {}),
      })
    : undefined;
  const app = await buildApi({
    engine,
    tokens,
    ...(identity ? { identityProviderOrigin: new URL(identity.issuer).origin } : {}),
    logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
    limits,
    trustedProxies,
    payloadCodec,
  });
  await mountConsole(app, {
    engine,
    tokens,
    sessionKey: randomBytes(32),
    secureCookies: false,
    temporalUiUrl: temporalUiUrl ?? 'http://127.0.0.1:8233',
    payloadCodec,
    namespace: 'default',
    ...(identity ? { relyingParty: identity.relyingParty } : {}),
  });
  const url = await app.listen({ host: '127.0.0.1', port });
  const handle: LocalApi = {
    url,
    tokens: {
      operator: made.operator.secret,
      ordonnateur: made.ordonnateur.secret,
      ordonnateur2: made.ordonnateur2.secret,
      comptable: made.comptable.secret,
      controleur: made.controleur.secret,
      admin: made.admin.secret,
      acme: made.acme.secret,
      rival: made.rival.secret,
    },
    async call(method, path, { token, body, raw, headers } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      // JSON lines (a journal's export) stay text: one document a line
      return {
        status: response.status,
        body: type.includes('json') && !type.includes('ndjson') ? JSON.parse(text) : text,
      };
    },
  };
  return {
    handle,
    close: async () => {
      await app.close();
      await identity?.stop();
    },
  };
}
