import { continueAsNew, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { NoticeActivities } from '../activities/notices';

const local = proxyLocalActivities<NoticeActivities>({ startToCloseTimeout: '5 seconds' });
const acts = proxyActivities<NoticeActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

/**
 * Every day at 09:00 Paris, the day's notices: the operators' digest and the campaigns' order deadline
 * reminders, each queued once (its key names the day). One day per run: the history stays small.
 */
export async function dailyNotices(): Promise<void> {
  const { at, day } = await local.nextNoticeTime({ after: new Date(Date.now()).toISOString() });
  await sleep(Math.max(1, Date.parse(at) - Date.now()));
  await acts.queueDailyNotices({ day, at });
  await continueAsNew<typeof dailyNotices>();
}
