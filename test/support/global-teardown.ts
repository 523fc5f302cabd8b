import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function globalTeardown(): void {
  const dir = process.env.TEST_POSTGRES_DIR;
  if (dir)
    execFileSync('bash', [path.resolve(__dirname, '..', '..', 'scripts/test-postgres.sh'), 'stop', dir], {
      stdio: 'inherit',
    });
}
