import { log } from '@temporalio/activity';
import type { ProcessKind, Transition } from '../contract/effects';
import { addCalendarDays, endOfParisDay, parisCivilDate, startOfParisDay } from '../domain/calendar';
import type { Reminder } from '../domain/bdc-view';
import { planReminders, type ReminderOffsets } from '../domain/reminders';
import { controlTable } from '../db/controls';
import { bdcTable } from '../db/record';
import { writeTransition, type ProcessTable } from '../db/recorded';
import type { Sql } from '../db/sql';
import { refusalsAreFinal } from './refusals';

const tables: Record<ProcessKind, ProcessTable<never>> = { bdc: bdcTable, control: controlTable };

/** The record's activities: each transition of a recorded process (a BDC, a control), with its effects, in one transaction. */
export function createRecordActivities(sql: Sql) {
  return {
    async recordTransition(t: Transition): Promise<{ recorded: boolean }> {
      const result = await refusalsAreFinal(() => writeTransition(sql, tables[t.process], t as Transition<never>));
      const { version, status } = t.record as { version: number; status: string };
      log.info(result.recorded ? 'transition recorded' : 'transition already recorded', {
        process: t.process,
        id: t.id,
        version,
        status,
        effects: t.effects.map((e) => e.kind),
      });
      return result;
    },
    /**
     * When a demand issued at `issuedAt` is due: `days` calendar days later, at the end of that Paris
     * day like every other deadline; and when the day of the demand started (a receipt is never
     * dated before it); with the due date's reminders at the campaign's offsets, when it has some.
     * Paris dates are computed here, outside the workflow.
     */
    async dueDate({
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
      const planned = reminders ? planReminders(dueAt, reminders, Date.parse(issuedAt)) : [];
      return {
        dueAt,
        issuedDayStartsAt: startOfParisDay(issuedOn).toISOString(),
        ...(planned.length ? { reminders: planned } : {}),
      };
    },
  };
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;
