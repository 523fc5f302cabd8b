// The workflow bundle's entry: every workflow type the worker runs.
export { bdcLifecycle } from './bdc/lifecycle';
export { bdcBatch } from './bdc-batch';
export { dailyNotices } from './daily-notices';
export { bdcControl } from './control/control';
