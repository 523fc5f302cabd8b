import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../config/logger';
import { installTemporalRuntime } from '../../worker/runtime';
import { registerSearchAttributes } from '../../worker/register-search-attributes';
import { allBdcSearchAttributes } from '../../workflows/search-attributes';
import { executable, temporalCliPath, temporalTestServerPath } from '../../worker/temporal-binaries';

export const workflowBundlePath = path.resolve(__dirname, '..', '..', '.cache', 'workflow-bundle.js');
export const workflowBundle = { codePath: workflowBundlePath };

let runtimeInstalled = false;
function installQuietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  installTemporalRuntime(createLogger(process.env.LOG_LEVEL ?? 'warn'));
}

/** The time-skipping test server, for everything with timers. */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: executable(temporalTestServerPath()) } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** The dev server (the real Temporal server), with the project's search attributes registered. */
export function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return TestWorkflowEnvironment.createLocal({ server: { executable: executable(temporalCliPath()), searchAttributes: allBdcSearchAttributes } });
}
