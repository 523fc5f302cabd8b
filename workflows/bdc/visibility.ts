import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { bdcSearchAttributes } from '../../contract/search-attributes';
import type { BdcRecord, BdcStatus } from '../../domain/bdc-view';
import { nextDeadline, outstandingCents } from '../../domain/lifecycle';
import { formatEuros } from '../../domain/money';

/** What admins filter BDCs on that changes while a BDC runs (the rest is set when it starts). */
export interface Published {
  status: BdcStatus;
  next: string | null;
  overdue: boolean;
}

export const publishedOf = (r: BdcRecord): Published => ({
  status: r.status,
  next: nextDeadline(r.deadlines)?.at ?? null,
  overdue: r.reimbursementOverdue,
});

/**
 * Publishes a BDC's state to Temporal's visibility after a transition: one upsert of the search
 * attributes that changed (at most one per transition), and the workflow's current details.
 */
export function publish(r: BdcRecord, before: Published): Published {
  const wanted = publishedOf(r);
  const changes: SearchAttributeUpdatePair[] = [];
  if (wanted.status !== before.status) changes.push({ key: bdcSearchAttributes.status, value: wanted.status });
  if (wanted.next !== before.next)
    changes.push({ key: bdcSearchAttributes.nextDeadline, value: wanted.next ? new Date(wanted.next) : null });
  if (wanted.overdue !== before.overdue) changes.push({ key: bdcSearchAttributes.overdue, value: wanted.overdue });
  if (changes.length) upsertSearchAttributes(changes);
  const a = r.amounts;
  const next = nextDeadline(r.deadlines);
  setCurrentDetails(
    [
      `**${r.status}**${r.reimbursementOverdue ? ' — reimbursement overdue' : ''}${r.attention ? ` — ${r.attention.reason}` : ''}`,
      `ceiling ${formatEuros(a.ceilingCents)} €, paid ${formatEuros(a.paidCents)} €, to reimburse ${formatEuros(outstandingCents(r))} €`,
      next ? `next deadline: ${next.name} ${next.at}` : 'no pending deadline',
    ].join('\n\n'),
  );
  return wanted;
}
