import fs from 'node:fs';
import path from 'node:path';
import { createLogger, temporalLogger } from '../../config/logger';
import { bundleWorkflows } from '../../worker/create-worker';
import { workflowBundlePath } from './temporal';

export default async function globalSetup(): Promise<void> {
  const { code } = await bundleWorkflows(temporalLogger(createLogger('warn')));
  fs.mkdirSync(path.dirname(workflowBundlePath), { recursive: true });
  fs.writeFileSync(workflowBundlePath, code);
}
