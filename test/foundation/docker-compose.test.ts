import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/env';

// No Docker engine runs here: the compose file is checked for what `docker compose up` relies on.
interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
}
const root = path.resolve(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

test('every service the engine needs is there, images pinned, the worker built here', () => {
  expect(Object.keys(services).sort()).toEqual([
    'api',
    'postgresql',
    'temporal',
    'temporal-namespace',
    'temporal-schema',
    'temporal-ui',
    'worker',
  ]);
  for (const [name, s] of Object.entries(services)) {
    if (name === 'worker' || name === 'api') continue;
    expect(s.image).toMatch(/^[a-z/-]+:\d[\w.-]*$/);
  }
  expect(services.temporal!.image).toMatch(/^temporalio\/server:/);
  expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
  expect(Object.values(services).some((s) => s.image?.includes('auto-setup'))).toBe(false);
  expect(services.worker!.build).toBe('.');
  expect(services.api!.build).toBe('.');
  expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
});

test("the namespace's retention is explicit: 90 days of history after a BDC ends", () => {
  expect(JSON.stringify(services['temporal-namespace'])).toContain('--retention 90d');
});

test('nothing is published beyond the loopback, PostgreSQL not at all', () => {
  expect(services.api!.ports).toEqual(['127.0.0.1:3000:3000']);
  expect(services['temporal-ui']!.ports).toEqual(['127.0.0.1:8080:8080']);
  expect(services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
  expect(services.postgresql!.ports).toBeUndefined();
  for (const s of Object.values(services)) for (const port of s.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
});

test('no fixed password: the database password comes from the environment, required', () => {
  const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  expect(text).not.toMatch(/PASSWORD: temporal\b|temporal:temporal@/);
  expect(services.postgresql!.environment!.POSTGRES_PASSWORD).toBe(
    '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}',
  );
});

test("Temporal runs the topology's own configuration (mTLS), which npm run test:topology runs too", () => {
  const temporal = services.temporal! as Service & { entrypoint: string[]; volumes: string[] };
  expect(temporal.entrypoint).toEqual([
    'temporal-server',
    '--root',
    '/etc/sons',
    '--config',
    'temporal',
    '--env',
    'production',
    'start',
  ]);
  expect(temporal.volumes).toContain('./topology/temporal:/etc/sons/temporal:ro');
  expect(fs.existsSync(path.join(root, 'topology/temporal/production.yaml'))).toBe(true);
  expect(temporal.environment).toMatchObject({
    TEMPORAL_TLS_CA: '/certs/ca.pem',
    TEMPORAL_TLS_SERVER_CERT: '/certs/server.pem',
  });
  const production = fs.readFileSync(path.join(root, 'topology/temporal/production.yaml'), 'utf8');
  expect(production.match(/requireClientAuth: true/g)).toHaveLength(2);
});

test('the Web UI is read-only and shows a certificate to Temporal', () => {
  expect(services['temporal-ui']!.environment).toMatchObject({
    TEMPORAL_DISABLE_WRITE_ACTIONS: 'true',
    TEMPORAL_TLS_CERT: '/certs/ui.pem',
  });
});

test('dependencies wait for health or completion, and name real services with healthchecks', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      expect({ name, dep, known: dep in services }).toEqual({ name, dep, known: true });
      expect(['service_healthy', 'service_completed_successfully']).toContain(condition);
      if (condition === 'service_healthy') expect(services[dep]!.healthcheck?.test.length).toBeGreaterThan(0);
    }
  }
  expect(services.temporal!.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
  for (const name of ['api']) expect(services[name]!.healthcheck!.test.join(' ')).toContain('/ready');
});

test('the worker and the API reach Temporal with their certificate, and the ledger, through the variables the engine reads', () => {
  for (const name of ['worker', 'api']) {
    // a variable compose takes from .env with a default (${X:-}) reaches the engine as its default;
    // the Web UI's address, required from .env, as an operator would write it
    const env = Object.fromEntries(
      Object.entries(services[name]!.environment!).map(([k, v]) => [
        k,
        v
          .replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1')
          .replace(/^\$\{TEMPORAL_UI_PUBLIC_URL:\?[^}]*\}$/, 'https://temporal-ui.asp.example'),
      ]),
    );
    expect(services[name]!.command).toEqual(['node', `dist/main/${name}.js`]);
    expect(fs.existsSync(path.join(root, 'main', `${name}.ts`))).toBe(true);
    expect(loadConfig({ ...env, DATABASE_URL: 'postgres://temporal:x@postgresql:5432/sons' })).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      PAYLOAD_KEYS_FILE: '/config/payload-keys.json',
    });
    expect(env.DATABASE_URL).toBe(
      'postgres://temporal:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}@postgresql:5432/sons',
    );
    expect(env).toMatchObject({
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/engine.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/certs/engine.key',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/certs/ca.pem',
    });
  }
  expect(
    loadConfig({
      ...services.api!.environment!,
      DATABASE_URL: 'postgres://temporal:x@postgresql:5432/sons',
      TEMPORAL_UI_URL: 'https://temporal-ui.asp.example',
    }),
  ).toMatchObject({
    API_HOST: '0.0.0.0',
    API_PORT: 3000,
    API_TOKENS_FILE: '/config/api-tokens.json',
    CONSOLE_SECURE_COOKIES: true,
    CONSOLE_SESSION_KEY_FILE: '/config/console-session.key',
  });
});

// Issue 25: the journal's signing keys are the worker's alone (the API asks the worker to sign).
test("the journal's signing keys are mounted into the worker only", () => {
  for (const [name, s] of Object.entries(services)) {
    const mounts = (s.volumes ?? []).filter((v) => v.includes('journal-keys'));
    expect({ name, mounts }).toEqual({
      name,
      mounts: name === 'worker' ? ['./deploy/journal-keys.json:/config/journal-keys.json:ro'] : [],
    });
  }
  expect(
    loadConfig({
      ...services.worker!.environment!,
      DATABASE_URL: 'postgres://temporal:x@postgresql:5432/sons',
      JOURNAL_CHECKPOINT_RECIPIENTS: 'controle-interne@asp.example,auditor:ccomptes',
    }),
  ).toMatchObject({
    JOURNAL_KEYS_FILE: '/config/journal-keys.json',
    JOURNAL_CHECKPOINT_RECIPIENTS: ['controle-interne@asp.example', 'auditor:ccomptes'],
  });
  expect(services.worker!.environment!.JOURNAL_CHECKPOINT_RECIPIENTS).toBe('${JOURNAL_CHECKPOINT_RECIPIENTS:-}');
  expect(JSON.stringify(services.api)).not.toContain('JOURNAL_KEYS');
});

// Issue 19: each container holds only what it needs. A certificate's private key is mounted into the
// one service that presents it; the CA's key (which would mint any identity) into none.
const certsOf = (s: Service) =>
  (s.volumes ?? [])
    .filter((v) => v.startsWith('./deploy/certs'))
    .map((v) => {
      const [source, target, mode] = v.split(':');
      return { file: path.basename(source!), source, target, mode };
    });
const identities: Record<string, string | undefined> = {
  temporal: 'server',
  'temporal-namespace': 'admin',
  'temporal-ui': 'ui',
  worker: 'engine',
  api: 'engine',
  postgresql: undefined,
  'temporal-schema': undefined,
};

test('each service mounts its own key and certificate and the CA certificate, file by file, read-only; never the CA key, never the whole folder', () => {
  expect(Object.keys(identities).sort()).toEqual(Object.keys(services).sort());
  for (const [name, identity] of Object.entries(identities)) {
    const mounted = certsOf(services[name]!);
    expect({ name, files: mounted.map((m) => m.file).sort() }).toEqual({
      name,
      files: identity ? ['ca.pem', `${identity}.key`, `${identity}.pem`].sort() : [],
    });
    for (const m of mounted) {
      expect(m.source).toBe(`./deploy/certs/${m.file}`);
      expect(m.target).toBe(`/certs/${m.file}`);
      expect(m.mode).toBe('ro');
    }
  }
  const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  expect(text).not.toMatch(/ca\.key/);
  expect(text).not.toMatch(/\.\/deploy\/certs:/);
  // what each service is told to read is what it mounts
  for (const [name, s] of Object.entries(services)) {
    const mounted = new Set(certsOf(s).map((m) => m.target));
    const named = [...JSON.stringify(s).matchAll(/\/certs\/[\w.-]+/g)].map((m) => m[0]);
    for (const file of named) expect({ name, file, mounted: mounted.has(file) }).toEqual({ name, file, mounted: true });
  }
});

test('the frontend runs without --allow-no-auth; the Web UI signs its users in (OIDC) before showing any history', () => {
  expect(JSON.stringify(compose)).not.toContain('--allow-no-auth');
  const ui = services['temporal-ui']!.environment!;
  expect(ui).toMatchObject({
    TEMPORAL_AUTH_ENABLED: 'true',
    TEMPORAL_AUTH_PROVIDER_URL: expect.stringMatching(/^\$\{TEMPORAL_UI_OIDC_PROVIDER_URL:\?/),
    TEMPORAL_AUTH_CLIENT_ID: expect.stringMatching(/^\$\{TEMPORAL_UI_OIDC_CLIENT_ID:\?/),
    TEMPORAL_AUTH_CLIENT_SECRET: expect.stringMatching(/^\$\{TEMPORAL_UI_OIDC_CLIENT_SECRET:\?/),
    TEMPORAL_AUTH_CALLBACK_URL: expect.stringMatching(/^\$\{TEMPORAL_UI_OIDC_CALLBACK_URL:\?/),
  });
  expect(ui.TEMPORAL_AUTH_SCOPES).toContain('openid');
  // no secret in the file itself: every OIDC setting comes from .env, required
  for (const [k, v] of Object.entries(ui))
    if (k.startsWith('TEMPORAL_AUTH_') && k !== 'TEMPORAL_AUTH_ENABLED' && k !== 'TEMPORAL_AUTH_SCOPES')
      expect(v).toMatch(/^\$\{[A-Z_]+:\?/);
});

test("the Web UI decodes through the console's codec endpoint, sending the admin's session; the API answers its origin", () => {
  const ui = services['temporal-ui']!.environment!;
  expect(ui.TEMPORAL_CODEC_ENDPOINT).toMatch(/^\$\{CONSOLE_URL:\?[^}]*\}\/console\/codec$/);
  expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
  expect(services.api!.environment!.TEMPORAL_UI_URL).toMatch(/^\$\{TEMPORAL_UI_PUBLIC_URL:\?/);
});

test('the build context leaves out the deployment secrets, the environment and local state', () => {
  const ignored = fs
    .readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const entry of ['deploy', '.env', '.data', '.tools', '.artifacts', 'node_modules', '.git'])
    expect(ignored.map((l) => l.replace(/^\/|\/$/g, ''))).toContain(entry);
  expect(ignored).toContain('.env.*');
});
