import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createLogger, temporalLogger } from '../../config/logger';
import { bundleWorkflows } from '../../worker/create-worker';
import { workflowBundle } from './workflow-bundle';

const root = path.resolve(__dirname, '..', '..');

/**
 * Once per run: bundle the workflow code, and start the PostgreSQL server the ledger suite also runs
 * on (unless TEST_DATABASE_URL names one). Workers inherit these environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const { code } = await bundleWorkflows(temporalLogger(createLogger('warn')));
  fs.mkdirSync(path.dirname(workflowBundle.codePath), { recursive: true });
  fs.writeFileSync(workflowBundle.codePath, code);

  if (!process.env.TEST_DATABASE_URL) {
    try {
      const [dir, url] = execFileSync('bash', [path.join(root, 'scripts/test-postgres.sh')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
        .trim()
        .split(' ');
      process.env.TEST_POSTGRES_DIR = dir;
      process.env.TEST_DATABASE_URL = url;
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      process.stderr.write(
        `\n[test] no PostgreSQL could be started (${(err as Error).message.split('\n')[0]}): the ledger suite runs on PGlite only\n`,
      );
    }
  }
}
