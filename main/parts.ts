import { identityFor } from './identity';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { EncryptionCodec, loadPayloadKeys } from '../temporal/payload-codec';
import type pino from 'pino';
import type { ApiDeps } from '../api/context';
import { buildApi } from '../api/server';
import { mountConsole } from '../console/server';
import { loadSessionKey } from '../console/session';
import { loadTokens, newToken, TokenRegistry, type TokenEntry } from '../api/auth';
import { TokenFile } from '../api/token-file';
import { engineContext, type EngineContext } from '../client/context';
import { startPendingWorkflows } from '../client/intake';
import { tokenRevoked } from '../client/tokens';
import { startPendingControls } from '../client/controls';
import { effectiveCampaigns } from '../client/campaigns';
import { sealClearSecrets, startDailyNotices } from '../client/notices';
import { JournalKeeper } from '../client/journal-keeper';
import { JournalSigner, loadJournalKeys } from '../client/journal-keys';
import { NotificationDispatcher } from '../notifications/dispatcher';
import { SecretBox } from '../notifications/secret-box';
import { smtpMailer } from '../notifications/email';
import { loadCampaigns } from '../config/campaigns';
import { ConfigError, debtorOf, type Config } from '../config/env';
import { temporalLogger } from '../config/logger';
import { openDatabase } from '../db/open';
import { DatabaseBusyError } from '../db/pglite';
import type { Sql } from '../db/sql';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { createBdcWorker, workflowBundle } from '../worker/create-worker';

/** The pieces every process of the engine is made of; each entry point (main/*.ts) runs some of them. */

const PENDING_STARTS_EVERY_MS = 15_000;

/**
 * How the engine reaches Temporal: the address it was given, with what Temporal's own client
 * configuration says (TEMPORAL_TLS_CLIENT_CERT_PATH, …_KEY_PATH, …_SERVER_CA_CERT_PATH,
 * TEMPORAL_TLS_SERVER_NAME, TEMPORAL_API_KEY, a TOML profile: @temporalio/envconfig), so that mTLS and
 * Temporal Cloud work by configuration alone.
 */
export function temporalConnection(address: string) {
  const { connectionOptions } = loadClientConnectConfig();
  return { ...connectionOptions, address };
}

/** Stops a part; parts stop in the reverse order they started. */
export type Stop = () => Promise<void>;

export interface Connected {
  connection: Connection;
  client: Client;
  /** payloads encrypted with the configured keys (a local key on the embedded default): the client's, the worker's, the API's codec endpoint's */
  payloadCodec: EncryptionCodec;
  sql: Sql;
  engine: EngineContext;
  stop: Stop;
}

/** Temporal (search attributes registered) and the database (migrated): what the worker and the API share. */
export async function connect(config: Config, address: string, logger: pino.Logger): Promise<Connected> {
  // a process restarted while Temporal or the database is down waits for them, then starts
  const connection = await untilAvailable('Temporal', logger, async () => {
    const options = temporalConnection(address);
    const c = await Connection.connect({
      ...options,
      connectTimeout: 5_000,
      // a server back after an outage (the dev server restarted, a failover) is found within seconds,
      // not after gRPC's backoff of up to two minutes
      channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 },
    });
    const added = await registerSearchAttributes(c, config.TEMPORAL_NAMESPACE);
    if (added.length) logger.info({ added }, 'search attributes registered');
    return c;
  });
  const payloadKeys = loadPayloadKeys(config);
  const payloadCodec = new EncryptionCodec(payloadKeys);
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: { payloadCodecs: [payloadCodec] },
  });
  const sql = await untilAvailable('the database', logger, () =>
    openDatabase(config, (err) =>
      logger.warn({ err: err.message }, 'a database connection failed; it is discarded and the pool reconnects'),
    ),
  );
  const engine = engineContext({
    client,
    sql,
    campaigns: loadCampaigns(config),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    debtor: debtorOf(config),
    // webhook secrets are sealed with the payload keys' material; webhooks go where the policy allows
    webhooks: {
      policy: { allowHttp: new Set(config.WEBHOOK_ALLOW_HTTP_HOSTS) },
      secrets: new SecretBox(payloadKeys),
    },
  });
  const sealed = await sealClearSecrets(engine);
  if (sealed) logger.info({ sealed }, 'webhook secrets kept in clear are sealed now');
  return {
    connection,
    client,
    payloadCodec,
    sql,
    engine,
    async stop() {
      await connection.close();
      await sql.close();
    },
  };
}

/** The worker; `running` settles once it has shut down (the Runtime shuts it down on SIGINT, SIGTERM). */
export async function startWorker(
  config: Config,
  address: string,
  connected: Connected,
  logger: pino.Logger,
  smtpUrl = config.SMTP_URL,
): Promise<{ worker: Worker; running: Promise<void> }> {
  const connection = await NativeConnection.connect(temporalConnection(address));
  const worker = await createBdcWorker({
    connection,
    client: connected.client,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    sql: connected.sql,
    workflowBundle: await workflowBundle(temporalLogger(logger.child({ component: 'bundler' }))),
    dataConverter: { payloadCodecs: [connected.payloadCodec] },
    campaigns: () => effectiveCampaigns(connected.engine),
    // PGlite is one connection: activities queue on it, a few at a time
    budget: {
      memoryMiB: config.WORKER_MEMORY_MIB,
      databaseConnections: config.DATABASE_URL ? config.DATABASE_POOL_SIZE : 5,
    },
  });
  // a BDC (or a control) recorded while Temporal could not start its workflow is started as soon as it can be
  const sweep = setInterval(() => {
    Promise.all([startPendingWorkflows(connected.engine), startPendingControls(connected.engine)]).then(
      ([started, controls]) =>
        (started || controls) && logger.info({ started, controls }, 'workflows of recorded BDCs and controls started'),
      (err: unknown) => logger.warn({ err }, 'pending workflows not started yet'),
    );
  }, PENDING_STARTS_EVERY_MS);
  await startDailyNotices(connected.engine).catch((err: unknown) =>
    logger.warn({ err }, 'the daily notices are not started yet; the next start tries again'),
  );
  // the outbox is delivered by the worker's process (several workers share it: each notification is leased)
  const dispatcher = new NotificationDispatcher(connected.sql, {
    logger: logger.child({ component: 'notifications' }),
    ...(smtpUrl ? { mailer: smtpMailer(smtpUrl, config.NOTIFICATIONS_FROM) } : {}),
    ...(connected.engine.webhooks ? { webhooks: connected.engine.webhooks } : {}),
  });
  if (!smtpUrl) logger.warn('no SMTP_URL: emails wait in the outbox until one is configured');
  dispatcher.start();
  // the journal's keeper: checkpoints signed and published, the journal verified (the worker alone holds its key)
  const keeper = new JournalKeeper(connected.sql, new JournalSigner(loadJournalKeys(config)), {
    checkpointEveryMs: config.JOURNAL_CHECKPOINT_MINUTES * 60_000,
    verifyEveryMs: config.JOURNAL_VERIFY_HOURS * 3_600_000,
    recipients: config.JOURNAL_CHECKPOINT_RECIPIENTS,
    logger: logger.child({ component: 'journal' }),
  });
  await keeper.start();
  if (!config.JOURNAL_CHECKPOINT_RECIPIENTS.length)
    logger.warn('no JOURNAL_CHECKPOINT_RECIPIENTS: checkpoints are signed and kept, sent to nobody outside');
  return {
    worker,
    running: worker.run().finally(async () => {
      clearInterval(sweep);
      await keeper.stop();
      await dispatcher.stop();
      return connection.close();
    }),
  };
}

/**
 * On the embedded default with no tokens configured, one token per role is made for the local user
 * and the demo: hashes in DATA_DIR/api-tokens.json, the secrets beside them in dev-credentials.json.
 */
function tokensFor(
  config: Config,
  logger: pino.Logger,
): { source: TokenEntry[] | TokenFile; credentialsFile?: string } {
  const file = config.API_TOKENS_FILE ?? path.join(config.DATA_DIR, 'api-tokens.json');
  // tokens inline are fixed for the process's life; a file is read again whenever it changes
  if (config.API_TOKENS) return { source: loadTokens({ API_TOKENS: config.API_TOKENS }) };
  const watched = () =>
    new TokenFile(file, (err) => logger.error({ err: err.message }, "the API's tokens file does not read"));
  if (fs.existsSync(file)) return { source: watched() };
  if (config.API_TOKENS_FILE) throw new ConfigError(`API_TOKENS_FILE: ${file} does not exist`);
  // a year: this machine's own tokens; remove both files to have new ones made
  const year = { days: 365 };
  // two ordonnateurs: two persons, as four eyes above the threshold want
  const made: [string, ReturnType<typeof newToken>][] = [
    ['operator', newToken({ name: 'local-operator', role: 'operator' }, year)],
    ['ordonnateur', newToken({ name: 'local-ordonnateur-1', role: 'ordonnateur' }, year)],
    ['ordonnateur2', newToken({ name: 'local-ordonnateur-2', role: 'ordonnateur' }, year)],
    ['comptable', newToken({ name: 'local-comptable', role: 'comptable' }, year)],
    ['controleur', newToken({ name: 'local-controleur', role: 'controleur' }, year)],
    ['admin', newToken({ name: 'local-admin', role: 'admin' }, year)],
    ['editeur', newToken({ name: 'demo-editeur', role: 'editeur', editeurId: 'editeur-demo' }, year)],
  ];
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify(
      made.map(([, m]) => m.entry),
      null,
      2,
    ),
  );
  const credentialsFile = path.join(config.DATA_DIR, 'dev-credentials.json');
  fs.writeFileSync(
    credentialsFile,
    JSON.stringify(Object.fromEntries(made.map(([label, m]) => [label, m.secret])), null, 2),
    { mode: 0o600 },
  );
  return { source: watched(), credentialsFile };
}

/**
 * The worker polls its task queue: running, and listed by Temporal among the queue's pollers (a poll of
 * it reached the server). Until then the process is not ready, whatever else answers.
 */
export async function workerPolls(config: Config, connected: Connected, worker: Worker | undefined): Promise<void> {
  if (worker?.getState() !== 'RUNNING') throw new Error(`the worker is ${worker?.getState() ?? 'not started'}`);
  const { pollers } = await connected.client.workflowService.describeTaskQueue({
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  if (!pollers?.some((p) => p.identity === worker.options.identity)) throw new Error('the worker does not poll yet');
}

/** The HTTP API and the console beside it, listening; answers the lines to show the user and how to stop it. */
export async function startApi(
  config: Config,
  connected: Connected,
  logger: pino.Logger,
  options: {
    temporalUiUrl?: string;
    process?: ApiDeps['process'];
    /** the embedded default (`npm start`): a local OpenID provider with demo people, unless OIDC_ISSUER is set */
    embedded?: boolean;
  } = {},
): Promise<{ lines: string[]; stop: Stop }> {
  const { source, credentialsFile } = tokensFor(config, logger);
  // revocations are read from the database at each request: every API process sees one at once
  const tokens = new TokenRegistry(source, { isRevoked: tokenRevoked(connected.engine) });
  const lasting = tokens.withoutExpiry();
  if (lasting.length)
    logger.warn(
      { tokens: lasting },
      'API tokens without an expiry: make new ones (sons token new) and remove these, or revoke them (sons token revoke)',
    );
  // people sign in to the console through an OpenID provider: the configured one, or a local one
  const identity = await identityFor(config, connected.engine, logger, { embedded: options.embedded ?? false });
  const api = await buildApi({
    engine: connected.engine,
    tokens,
    ...(identity ? { identityProviderOrigin: new URL(identity.relyingParty.settings.issuer).origin } : {}),
    logger: logger.child({ component: 'api' }),
    limits: {
      unauthenticatedPerMinute: config.API_UNAUTHENTICATED_PER_MINUTE,
      writesPerMinute: config.API_WRITES_PER_MINUTE,
      readyPerMinute: config.API_READY_PER_MINUTE,
    },
    trustedProxies: config.API_TRUSTED_PROXIES,
    payloadCodec: connected.payloadCodec,
    process: options.process,
  });
  await mountConsole(api, {
    engine: connected.engine,
    tokens,
    sessionKey: loadSessionKey(config),
    secureCookies: config.CONSOLE_SECURE_COOKIES,
    temporalUiUrl: config.TEMPORAL_UI_URL ?? options.temporalUiUrl,
    payloadCodec: connected.payloadCodec,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(identity ? { relyingParty: identity.relyingParty } : {}),
  });
  const url = await api.listen({ host: config.API_HOST, port: config.API_PORT });
  const lines = [`Console:         ${url}/`, ...(identity?.lines ?? []), `API:             ${url}  (docs ${url}/docs)`];
  if (credentialsFile) lines.push(`API tokens:      ${credentialsFile} (made for this machine)`);
  return {
    lines,
    stop: async () => {
      await api.close();
      await identity?.stop();
    },
  };
}

/** Tries `open` until it succeeds, every few seconds, saying why it waits; a configuration error stops at once. */
async function untilAvailable<T>(what: string, logger: pino.Logger, open: () => Promise<T>): Promise<T> {
  // asked to stop while waiting (docker stop, systemd, Ctrl-C): nothing has started, nothing to drain
  let waiting = true;
  const stop = new Promise<never>(() => {
    void stopRequested.then(() => {
      if (!waiting) return;
      logger.info(`stopped while waiting for ${what}`);
      process.exit(0);
    });
  });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await Promise.race([open(), stop]);
      } catch (err) {
        if (err instanceof ConfigError || err instanceof DatabaseBusyError) throw err;
        logger.warn({ attempt, err: (err as Error).message }, `${what} does not answer yet; trying again`);
        await Promise.race([new Promise((r) => setTimeout(r, Math.min(5_000, 500 * attempt))), stop]);
      }
    }
  } finally {
    waiting = false;
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export const untilSignal = () =>
  new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => resolve())));
/** The process was asked to stop (listened to from start-up, so a signal while waiting is not missed). */
const stopRequested = untilSignal();

/** An entry point's last word: a configuration problem as one readable message, anything else with its stack. */
export function exitOnFailure(err: unknown): never {
  process.stderr.write(`${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
}
