import fs from 'node:fs';
import { createLogger, temporalLogger } from '../config/logger';
import { builtBundlePath, bundleWorkflows } from '../worker/create-worker';

/**
 * `npm run build`'s last step: the workflow code bundled once, as a production worker loads it
 * (dist/workflow-bundle.js), instead of at every worker start.
 */
async function main() {
  const { code } = await bundleWorkflows(temporalLogger(createLogger('warn')));
  fs.writeFileSync(builtBundlePath, code);
  process.stderr.write(`workflow bundle: ${builtBundlePath} (${(code.length / 2 ** 20).toFixed(2)} MiB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
