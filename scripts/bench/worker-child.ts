import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { createLogger, temporalLogger } from '../../config/logger';
import { openPostgres } from '../../db/postgres';
import { builtBundlePath, createBdcWorker } from '../../worker/create-worker';
import { installTemporalRuntime } from '../../worker/runtime';
import { bareActivities } from './bare/activities';

/**
 * A worker in a process of its own, so that its CPU and memory are measured alone: the engine's
 * (`project`) or the bare baseline's (`bare`). Driven by the bench through IPC: it answers `ready`,
 * and to `{ gc: true }` its RSS after a full collection.
 */
async function main() {
  const [kind, address, taskQueue, databaseUrl] = process.argv.slice(2) as ['project' | 'bare', string, string, string];
  installTemporalRuntime(createLogger('error'));
  const connection = await NativeConnection.connect({ address });
  const shared = { connection, namespace: 'default', taskQueue };
  // a cache large enough for every open workflow of the bench, whatever the budget
  const cache = { maxCachedWorkflows: 30_000 };
  let worker: Worker;
  if (kind === 'project') {
    const client = new Client({ connection: await Connection.connect({ address }) });
    worker = await createBdcWorker({
      ...shared,
      sql: openPostgres(databaseUrl, 10),
      client,
      workflowBundle: { codePath: builtBundlePath },
      budget: { memoryMiB: 8192, databaseConnections: 10 },
    });
  } else {
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./bare/workflows'),
      logger: temporalLogger(createLogger('error')),
    });
    worker = await Worker.create({
      ...shared,
      ...cache,
      workflowBundle: bundle,
      activities: bareActivities,
      maxConcurrentActivityTaskExecutions: 20,
    });
  }
  process.on('message', (m: { gc?: boolean }) => {
    if (m.gc) {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ rssKiB: process.memoryUsage().rss / 1024 });
    }
  });
  const running = worker.run();
  process.send!({ ready: true });
  process.on('disconnect', () => worker.shutdown());
  await running;
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
