import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import { RefusedError } from '../domain/refusal';
import type {
  Ledger,
  PaymentOrderInput,
  ReclaimInput,
  ReimbursementDemandInput,
  ReimbursementReceiptInput,
} from '../db/ledger';

export const REFUSED = 'Refused';

/** A business refusal is final: retrying the same input cannot succeed, so it is not retried. */
export async function refusalsAreFinal<T>(effect: () => Promise<T>): Promise<T> {
  try {
    return await effect();
  } catch (err) {
    if (err instanceof RefusedError) {
      throw ApplicationFailure.create({
        type: REFUSED,
        message: err.message,
        details: err.refusals,
        nonRetryable: true,
      });
    }
    throw err;
  }
}

/**
 * The ledger's effects as activities, for the BDCs that run the v1 lifecycle (workflows/legacy/);
 * each is keyed, so a retry never writes twice. Later BDCs write through the record's activities.
 */
export function createLedgerActivities(ledger: Ledger) {
  return {
    async issuePaymentOrder(order: PaymentOrderInput) {
      const { record, created } = await refusalsAreFinal(() => ledger.issuePaymentOrder(order));
      log.info(created ? 'payment order issued' : 'payment order already issued', {
        idempotencyKey: record.idempotencyKey,
        amountCents: record.amountCents,
      });
      return record;
    },
    async issueReimbursementDemand(demand: ReimbursementDemandInput) {
      const { record, created } = await refusalsAreFinal(() => ledger.issueReimbursementDemand(demand));
      log.info(created ? 'reimbursement demanded' : 'reimbursement already demanded', {
        idempotencyKey: record.idempotencyKey,
        amountCents: record.amountCents,
      });
      return record;
    },
    async reclaimAdvance(reclaim: ReclaimInput) {
      const written = await refusalsAreFinal(() => ledger.reclaimAdvance(reclaim));
      log.info(written ? 'advance demanded back' : 'no advance to demand back', {
        idempotencyKey: reclaim.idempotencyKey,
        amountCents: written?.record.amountCents,
      });
      return written?.record ?? null;
    },
    async recordReimbursementReceipt(receipt: ReimbursementReceiptInput) {
      const { record } = await refusalsAreFinal(() => ledger.recordReimbursementReceipt(receipt));
      return record;
    },
    async releaseEssmsClaims(bdcId: string) {
      const released = await refusalsAreFinal(() => ledger.releaseEssmsClaims(bdcId));
      log.info('ESSMS claims released', { bdcId, released });
      return released;
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
