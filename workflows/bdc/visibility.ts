import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { bdcSearchAttributes } from '../../contract/search-attributes';
import type { BdcRecord, BdcStatus } from '../../domain/bdc-view';
import { nextDeadline, outstandingCents } from '../../domain/lifecycle';
import { eurosFr, parisDateTimeFr } from '../../domain/french';
import { deadlineFr, recordedFr, statusFr } from '../../domain/messages';

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
  // what admins read in the Web UI, in French like every screen: details are never compared on replay
  setCurrentDetails(
    [
      `**${statusFr[r.status] ?? r.status}**${r.reimbursementOverdue ? ' — remboursement en retard' : ''}${r.attention ? ` — ${recordedFr(r.attention.reason)}` : ''}`,
      `plafond ${eurosFr(a.ceilingCents)}, versé ${eurosFr(a.paidCents)}, reste dû ${eurosFr(outstandingCents(r))}`,
      next
        ? `prochaine échéance : ${deadlineFr[next.name]}, le ${parisDateTimeFr(next.at)}`
        : 'aucune échéance en cours',
    ].join('\n\n'),
  );
  return wanted;
}
