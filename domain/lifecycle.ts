import type { BdcRecord, BdcWorkflowInput, Deadline, Reminder } from './bdc-view';
import { applyRate } from './money';

/** Pure pieces of a BDC's lifecycle, shared by intake (the record as it starts) and the workflow. */

/** The record of a BDC as registered: what intake writes and where its workflow starts from. */
export function initialRecord(input: BdcWorkflowInput): BdcRecord {
  const { request, campaign, deadlines } = input;
  return {
    bdcId: input.bdcId,
    status: input.referencement === 'granted' ? 'advance_issued' : 'awaiting_referencement',
    reimbursementOverdue: false,
    request,
    orderDayStartsAt: input.orderDayStartsAt,
    campaign,
    referencement: { state: input.referencement },
    amounts: {
      ceilingCents: input.ceilingCents,
      advanceCents: applyRate(input.ceilingCents, campaign.advanceRateBasisPoints),
      paidCents: 0,
      toReimburseCents: 0,
      reimbursedCents: 0,
    },
    deadlines: [
      ...(deadlines.dossier
        ? [
            {
              name: 'dossier' as const,
              at: deadlines.dossier,
              source: `order date + ${campaign.referencementDelayDays} days`,
              state: 'pending' as const,
              ...remindersOf(deadlines.reminders?.dossier),
            },
          ]
        : []),
      { name: 'orderDeadline', at: deadlines.orderDeadline, source: `campaign ${campaign.id}`, state: 'met' },
      {
        name: 'closing',
        at: deadlines.closing,
        source: `campaign ${campaign.id}`,
        state: 'pending',
        ...remindersOf(deadlines.reminders?.closing),
      },
    ],
    version: 0,
  };
}

const remindersOf = (reminders: Reminder[] | undefined) => (reminders?.length ? { reminders } : {});

/** The earliest deadline still pending, if any: what the BDC waits for next. */
export function nextDeadline(deadlines: readonly Deadline[]): Deadline | undefined {
  return deadlines.filter((d) => d.state === 'pending').sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
}

export const outstandingCents = (r: Pick<BdcRecord, 'amounts'>) =>
  r.amounts.toReimburseCents - r.amounts.reimbursedCents - (r.amounts.writtenOffCents ?? 0);
