import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { projectRoot } from '../../config/paths';
import { createLogger } from '../../config/logger';
import { temporalCliPath } from '../../temporal/binaries';
import { startDevServer } from '../../temporal/dev-server';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { apiFigures } from './api-load';
import {
  bareSide,
  benchDatabase,
  benchEngineContext,
  cpuPerLifecycle,
  grantSolutions,
  historyOf,
  projectSide,
  rssPerOpen,
  startWorkerChild,
  temporalFloor,
} from './lean';
import { enrolInDatabase } from '../samples/enrolment';
import { storageFigures } from './storage';

/**
 * `npm run bench`: the figures the issues ask for, measured here rather than asserted in tests, as
 * one JSON object. A PostgreSQL server (Debian's, started here unless TEST_DATABASE_URL names one)
 * and a Temporal dev server of its own, in memory: its SQLite file caps it near 47 workflow starts a
 * second on this machine, whoever calls it (the production server runs on PostgreSQL). BENCH_ROUNDS, BENCH_LIFECYCLES, BENCH_OPEN size the lean part.
 */
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  let postgresUrl = process.env.TEST_DATABASE_URL;
  let stopPostgres = () => undefined as void;
  if (!postgresUrl) {
    const [dir, url] = execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh')], { encoding: 'utf8' })
      .trim()
      .split(' ');
    postgresUrl = url!;
    stopPostgres = () => void execFileSync('bash', [path.join(projectRoot, 'scripts/test-postgres.sh'), 'stop', dir!]);
  }
  const logger = createLogger('warn');
  const server = await startDevServer({
    cli: temporalCliPath()!,
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sons-bench-temporal-')),
    port: 17_400 + (process.pid % 500),
    uiPort: 18_400 + (process.pid % 500),
    logger,
    headless: true,
    inMemory: true,
  });
  const workers: { stop(): Promise<void> }[] = [];
  try {
    const connection = await Connection.connect({ address: server.address });
    await registerSearchAttributes(connection, 'default');
    const client = new Client({ connection });
    const db = await benchDatabase(postgresUrl, `sons_bench_${process.pid}`);
    const projectQueue = 'bench-project';
    const bareQueue = 'bench-bare';
    const project = await startWorkerChild('project', server.address, projectQueue, db.url);
    const bare = await startWorkerChild('bare', server.address, bareQueue, db.url);
    workers.push(project, bare);
    const ctx = benchEngineContext(client, db.sql, projectQueue);
    await grantSolutions(ctx, ['editeur-acme']);
    // the ASP enrols an éditeur before ordering it money
    await enrolInDatabase(db.sql, 'editeur-acme');
    const sides = { project: projectSide(ctx, db, project), bare: bareSide(client, bareQueue, bare) };

    const parallel = 20;
    const cpu = await cpuPerLifecycle(sides, server.pid, {
      rounds: env('BENCH_ROUNDS', 3),
      lifecycles: env('BENCH_LIFECYCLES', 200),
      parallel,
    });
    const open = env('BENCH_OPEN', 1_000);
    const rss = {
      project: await rssPerOpen(sides.project, open, parallel),
      bare: await rssPerOpen(sides.bare, open, parallel),
    };
    const histories = {
      project: await historyOf(client, await sides.project.lifecycle()),
      bare: await historyOf(client, await sides.bare.lifecycle()),
    };
    const api = { ...(await apiFigures(ctx, db)), temporalFloorBare: await temporalFloor(sides.bare, client) };
    const result = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      lifecycle: {
        ...cpu,
        rssPerOpenKiB: { open, project: rss.project, bare: rss.bare, ratio: +(rss.project / rss.bare).toFixed(2) },
        history: {
          ...histories,
          eventsRatio: +(histories.project.events / histories.bare.events).toFixed(2),
          bytesRatio: +((histories.project.bytes ?? 0) / (histories.bare.bytes ?? 1)).toFixed(2),
        },
        workflowBundleMiB: +(fs.statSync(path.join(projectRoot, 'dist', 'workflow-bundle.js')).size / 2 ** 20).toFixed(
          2,
        ),
      },
      api,
      ...(process.env.BENCH_SKIP_STORAGE ? {} : await storageFigures(postgresUrl)),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    await db.sql.close();
    await connection.close();
  } finally {
    for (const w of workers) await w.stop().catch(() => undefined);
    await server.stop();
    stopPostgres();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
