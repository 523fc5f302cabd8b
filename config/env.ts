import { isIP } from 'node:net';
import path from 'node:path';
import { isValidBIC, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { LOCAL_DEBTOR, type Debtor } from '../domain/sepa/debtor';

/** proxy-addr's names for ranges (Fastify's trustProxy): loopback, link-local and private addresses */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or a range (CIDR) a trusted proxy connects from. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Configuration, read once from the environment and validated; a bad value stops start-up. */
const envSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'expected host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('sons-bdc'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  /** days a closed workflow's history is kept, on the dev server npm start runs (other servers: their namespace's setting) */
  TEMPORAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL URL; absent, the embedded PGlite database under DATA_DIR is used */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  /** the payload encryption keys, JSON { current, keys: { id: base64 } } (or PAYLOAD_KEYS_FILE); absent: a local key in DATA_DIR */
  PAYLOAD_KEYS: z.string().min(2).optional(),
  PAYLOAD_KEYS_FILE: z.string().min(1).optional(),
  /** the journal's Ed25519 signing keys, JSON { current, keys: { id: 32-byte seed, base64 } } (or JOURNAL_KEYS_FILE); absent: a local key in DATA_DIR */
  JOURNAL_KEYS: z.string().min(2).optional(),
  JOURNAL_KEYS_FILE: z.string().min(1).optional(),
  /** who receives each signed checkpoint: email addresses and auditor:<id> contacts, comma-separated */
  JOURNAL_CHECKPOINT_RECIPIENTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(?:[^\s@,]+@[^\s@,]+\.[^\s@,]+|auditor:[A-Za-z0-9_.-]{1,64})$/,
            'expected email addresses or auditor:<id> contacts, comma-separated',
          ),
      ),
    ),
  /** minutes between two checkpoints of the journal (when it moved) */
  JOURNAL_CHECKPOINT_MINUTES: z.coerce.number().min(0.01).max(10_080).default(60),
  /** hours between two verifications of the whole journal */
  JOURNAL_VERIFY_HOURS: z.coerce.number().min(0.01).max(720).default(24),
  /** host:port where the worker serves the SDK's Prometheus metrics; absent, none */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'expected host:port')
    .optional(),
  /** MiB the worker may use (its container's limit, less a margin): its cache of open BDCs follows */
  WORKER_MEMORY_MIB: z.coerce.number().int().min(128).default(1024),
  /** connections of the PostgreSQL pool of each process */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** npm scripts run from the project root, so the default lands in the ignored .data/ */
  DATA_DIR: z
    .string()
    .min(1)
    .default('.data')
    .transform((d) => path.resolve(d)),
  /** a JSON file holding an array of extra campaigns, added to the shipped ones */
  CAMPAIGNS_FILE: z.string().min(1).optional(),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** requests without a valid token allowed per source address and minute; then 429 */
  API_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** writes (POST, PUT, PATCH, DELETE) allowed per token (or console session's person) and minute; then 429 */
  API_WRITES_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** readiness checks (/ready) allowed per source address and minute; then 429 */
  API_READY_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /**
   * the reverse proxies in front of the API (addresses or CIDR ranges, comma-separated; or loopback,
   * linklocal, uniquelocal): their X-Forwarded-For names the client, so that each client has its own
   * throttle. Absent, no proxy is trusted and the address a request comes from is its source.
   */
  API_TRUSTED_PROXIES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .refine((entries) => entries.length > 0 && entries.every(isProxyAddress), {
      message: 'expected addresses or CIDR ranges separated by commas (or loopback, linklocal, uniquelocal)',
    })
    .optional(),
  /** JSON array of { name, role, sha256[, editeurId] }; absent, DATA_DIR/api-tokens.json */
  API_TOKENS_FILE: z.string().min(1).optional(),
  /** the same array inline, for containers */
  API_TOKENS: z.string().min(2).optional(),
  /** the console's session cookies are sealed with this key (32 bytes, base64; or CONSOLE_SESSION_KEY_FILE); absent: a local key in DATA_DIR */
  CONSOLE_SESSION_KEY: z.string().min(40).optional(),
  CONSOLE_SESSION_KEY_FILE: z.string().min(1).optional(),
  /** the console's cookies carry Secure: set it where the API is reached over TLS (a reverse proxy) */
  CONSOLE_SECURE_COOKIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * The OpenID Connect provider people sign in to the console with (ProConnect for the State's agents,
   * any standard provider): its issuer URL; absent, npm start runs a local provider with demo people
   * (identity/provider-process.mjs) on OIDC_LOCAL_PORT.
   */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** the client's secret (or OIDC_CLIENT_SECRET_FILE) */
  OIDC_CLIENT_SECRET: z.string().min(16).optional(),
  OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  /** the scopes asked (ProConnect: openid given_name usual_name email uid siret idp_id) */
  OIDC_SCOPES: z.string().min(6).default('openid email profile organization'),
  /** where the provider sends a person back: the console's address as people reach it, + /console/connexion/retour */
  CONSOLE_PUBLIC_URL: z.url().optional(),
  /** the ID token's `amr` values that say a second factor was used (comma-separated): without one, a person reads but takes no money action */
  OIDC_SECOND_FACTOR_AMR: z.string().min(1).default('mfa'),
  /** the port of the local provider npm start runs when no OIDC_ISSUER is set */
  OIDC_LOCAL_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  /** the SMTP server notifications go through (smtp://host:port, smtps://user:password@host:port); absent: npm start runs a local mailbox */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
    .optional(),
  /** the sender of the engine's emails */
  NOTIFICATIONS_FROM: z.string().min(3).default('SONS — ASP <sons-ne-pas-repondre@asp.localhost>'),
  /** the port of the local mailbox npm start runs when no SMTP_URL is set */
  MAIL_SINK_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  /**
   * `host:port` entries, comma-separated, whose webhooks may be plain HTTP and go to any address (a
   * receiver on the operator's own network, a test's listener); every other webhook is https to a
   * public address. IPv6 in brackets: [::1]:8080.
   */
  WEBHOOK_ALLOW_HTTP_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?):(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/,
            'expected host:port entries, comma-separated (IPv6 in brackets: [::1]:8080)',
          ),
      ),
    ),
  /** the ASP's account payment runs are paid from (the debtor of every pain.001); default: the Banque de France's example account */
  ASP_DEBTOR_NAME: z.string().min(1).max(70).default(LOCAL_DEBTOR.name),
  ASP_DEBTOR_IBAN: z
    .string()
    .transform((v) => v.replace(/\s+/g, '').toUpperCase())
    .refine((v) => isValidIBAN(v), 'expected a valid IBAN')
    .default(LOCAL_DEBTOR.iban),
  ASP_DEBTOR_BIC: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .refine((v) => isValidBIC(v), 'expected a valid BIC')
    .default(LOCAL_DEBTOR.bic),
  /** the Temporal Web UI admins open a BDC's history in; npm start sets it to its dev server's */
  TEMPORAL_UI_URL: z
    .string()
    .regex(/^https?:\/\//, 'expected an http(s):// URL')
    .optional(),
});
export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** The ASP's debtor account of the configuration. */
export const debtorOf = (c: Config): Debtor => ({
  name: c.ASP_DEBTOR_NAME,
  iban: c.ASP_DEBTOR_IBAN,
  bic: c.ASP_DEBTOR_BIC,
});

/** A value as an error message may show it: never a secret (a URL's password, a token, a key). */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (/TOKEN|SECRET|KEY|PASSWORD/i.test(name)) return `a value of ${value.length} characters`;
  if (name === 'SMTP_URL') return JSON.stringify(value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'));
  return JSON.stringify(value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `${i.path.join('.')}: ${i.message} (got ${shown(String(i.path[0]), env[String(i.path[0])])})`,
    );
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
