import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { bareActivities } from './activities';

/**
 * The baseline of `npm run bench`: a bare workflow doing the same Temporal work as a BDC's happy
 * path — started, one activity, waits for one update, one activity, completes — and nothing else.
 */
export const bareUpdate = defineUpdate<string, [string]>('vaSubmitted');
export const bareStage = defineQuery<string>('stage');
const { step } = proxyActivities<typeof bareActivities>({ startToCloseTimeout: '30 seconds' });

export async function bareLifecycle(id: string): Promise<string> {
  let received: string | undefined;
  let stage = 'started';
  setHandler(bareStage, () => stage);
  setHandler(bareUpdate, (value) => {
    received = value;
    return 'accepted';
  });
  await step(`${id}:advance`);
  stage = 'waiting';
  await condition(() => received !== undefined);
  await step(`${id}:balance`);
  return 'completed';
}
