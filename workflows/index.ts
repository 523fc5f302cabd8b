// The workflow bundle's entry: every workflow type the worker runs.
export { bdcLifecycle } from './bdc-lifecycle';
export { calendarAmendmentBatch } from './calendar-batch';
