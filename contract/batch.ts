import { defineQuery } from '@temporalio/workflow';
import type { Actor, BdcStatus } from '../domain/bdc-view';

/** Which BDCs a batch sends its event to, read from the record in id order. */
export type BatchSelector = { campaignId: string } | { solutionId: string; status: BdcStatus };

/** The event a batch sends each BDC: an update's name and its content (the id is the batch's). */
export interface BatchEvent {
  update: 'calendarAmended' | 'referencementDecided';
  payload: { actor: Actor } & Record<string, unknown>;
}

export interface BatchInput {
  batchId: string;
  kind: 'calendar' | 'referencement';
  /** which BDCs, from the record, in id order */
  selector: BatchSelector;
  event: BatchEvent;
  /** what the batch is, for its progress (the amendment, the decision) */
  params: Record<string, unknown>;
  pageSize: number;
  parallel: number;
  /** each BDC tried that many times before it is reported as failed */
  attempts: number;
  /** pages per run before it continues as new: a page is ~6 history events, a run stays far below Temporal's limits */
  pagesPerRun: number;
  /** a run continued as new resumes after this BDC id, with these counts */
  resume?: { after: string; progress: BatchProgressCounts };
}

export interface BatchProgressCounts {
  total: number;
  applied: number;
  skipped: number;
  failed: number;
  done: boolean;
}

export const batchProgress = defineQuery<BatchProgressCounts>('progress');
export const BATCH_WORKFLOW_TYPE = 'bdcBatch';

/** The batch workflow's signature, for typed starts without importing workflow code. */
export type BdcBatchWorkflow = (input: BatchInput) => Promise<BatchProgressCounts>;
