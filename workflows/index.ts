// The workflow bundle's entry: every workflow type the worker runs.
export { bdcLifecycle } from './bdc-lifecycle';
export { bdcBatch } from './bdc-batch';
export { dailyNotices } from './daily-notices';
export { bdcControl } from './control/control';
// frozen: batches started before bdcBatch finish on it
export { calendarAmendmentBatch } from './legacy/calendar-batch-v1';
