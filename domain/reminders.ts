import type { Reminder } from './bdc-view';
import { addCalendarDays, parisCivilDate, parisTimeOn } from './calendar';

/** When a reminder of a day offset goes out: at this Paris hour, that many days before the deadline's day. */
export const REMINDER_HOUR = 9;

export interface ReminderOffsets {
  /** days before the deadline (DOMAIN.md: 30, 7, 1), at 09:00 Paris */
  reminderOffsetsDays?: number[];
  /** minutes before it, exactly (the demo's campaign, whose deadlines fall minutes from now) */
  reminderOffsetsMinutes?: number[];
}

/**
 * The reminders of a deadline still ahead of `now`, soonest first: each day offset at 09:00 Paris on
 * the day that many days before the deadline's, each minute offset that long before the deadline.
 * Outside workflow code (Paris dates), like every civil date.
 */
export function planReminders(deadlineAt: string, offsets: ReminderOffsets, now: number): Reminder[] {
  const deadline = Date.parse(deadlineAt);
  const day = parisCivilDate(new Date(deadline));
  const planned = [
    ...(offsets.reminderOffsetsDays ?? []).map((d) => ({
      at: parisTimeOn(addCalendarDays(day, -d), REMINDER_HOUR).toISOString(),
      before: `P${d}D`,
    })),
    ...(offsets.reminderOffsetsMinutes ?? []).map((m) => ({
      at: new Date(deadline - m * 60_000).toISOString(),
      before: `PT${m}M`,
    })),
  ];
  const unique = new Map(
    planned.filter((r) => Date.parse(r.at) > now && Date.parse(r.at) < deadline).map((r) => [r.at, r]),
  );
  return [...unique.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The next reminder still to send of the pending deadlines, with its deadline. */
export function nextReminder<D extends { name: string; state: string; reminders?: Reminder[] }>(
  deadlines: readonly D[],
): { deadline: D; reminder: Reminder } | undefined {
  let next: { deadline: D; reminder: Reminder } | undefined;
  for (const deadline of deadlines) {
    if (deadline.state !== 'pending') continue;
    for (const reminder of deadline.reminders ?? []) {
      if (reminder.sent) continue;
      if (!next || Date.parse(reminder.at) < Date.parse(next.reminder.at)) next = { deadline, reminder };
    }
  }
  return next;
}
