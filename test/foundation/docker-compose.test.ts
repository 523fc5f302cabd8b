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
}
const root = path.resolve(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

test('every service the engine needs is there, images pinned, the worker built here', () => {
  expect(Object.keys(services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker']);
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

test('ports: Web UI on 8080, API on 3000, Temporal on 7233, PostgreSQL on 5432', () => {
  expect(services.api!.ports).toContain('3000:3000');
  expect(services['temporal-ui']!.ports).toContain('8080:8080');
  expect(services.temporal!.ports).toContain('7233:7233');
  expect(services.postgresql!.ports).toContain('5432:5432');
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
});

test('the worker and the API reach Temporal and the ledger through the variables the engine reads', () => {
  for (const name of ['worker', 'api']) {
    const env = services[name]!.environment!;
    expect(services[name]!.command).toEqual(['node', `dist/main/${name}.js`]);
    expect(fs.existsSync(path.join(root, 'main', `${name}.ts`))).toBe(true);
    expect(loadConfig(env)).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/\w+:\w+@postgresql:5432\/sons$/);
  }
  expect(loadConfig(services.api!.environment!)).toMatchObject({ API_HOST: '0.0.0.0', API_PORT: 3000, API_TOKENS_FILE: '/config/api-tokens.json' });
  expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', POSTGRES_USER: 'temporal' });
});
