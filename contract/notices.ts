/** The daily notices' workflow: one per namespace, the worker starts it (or finds it running). */
export const DAILY_NOTICES_WORKFLOW_TYPE = 'dailyNotices';
export const DAILY_NOTICES_WORKFLOW_ID = 'daily-notices';

export type DailyNoticesWorkflow = () => Promise<void>;
