import { log } from '@temporalio/activity';
import { addCalendarDays, endOfParisDay, parisCivilDate, startOfParisDay } from '../domain/calendar';
import type { Reminder } from '../domain/bdc-view';
import { planReminders, type ReminderOffsets } from '../domain/reminders';
import type { BdcRecords, EffectResult, Transition } from '../db/record';
import { refusalsAreFinal } from './ledger';

/** The record's activities: each transition of a BDC, with its money effect, in one transaction. */
export function createRecordActivities(records: BdcRecords) {
  return {
    async commitTransition(t: Transition): Promise<EffectResult> {
      const result = await refusalsAreFinal(() => records.applyTransition(t));
      log.info(result.recorded ? 'transition recorded' : 'transition already recorded', {
        bdcId: t.bdcId,
        version: t.record.version,
        status: t.record.status,
        effect: t.effect?.kind,
      });
      return result;
    },
    /**
     * When a reimbursement demanded at `issuedAt` is due: `days` calendar days later, at the end of
     * that Paris day like every other deadline; and when the day of the demand started (a receipt is
     * never dated before it). Paris dates are computed here, outside the workflow.
     */
    async reimbursementDueDate({
      issuedAt,
      days,
      reminders,
    }: {
      issuedAt: string;
      days: number;
      reminders?: ReminderOffsets;
    }): Promise<{ dueAt: string; issuedDayStartsAt: string; reminders?: Reminder[] }> {
      const issuedOn = parisCivilDate(new Date(issuedAt));
      const dueAt = endOfParisDay(addCalendarDays(issuedOn, days)).toISOString();
      // the reminders of the due date, when the workflow plans them (its record names the campaign's offsets)
      return {
        dueAt,
        issuedDayStartsAt: startOfParisDay(issuedOn).toISOString(),
        ...(reminders ? { reminders: planReminders(dueAt, reminders, Date.parse(issuedAt)) } : {}),
      };
    },
  };
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;
