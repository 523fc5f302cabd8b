import { condition } from '@temporalio/workflow';
import type { BdcRecord, Deadline, DeadlineName, Reminder } from '../../domain/bdc-view';
import { nextDeadline } from '../../domain/lifecycle';
import { nextReminder } from '../../domain/reminders';
import { deadlineFr } from '../../domain/messages';
import { parisDateTimeFr } from '../../domain/french';

/** What waiting on a BDC's deadlines needs to know of its lifecycle. */
export interface Waiting {
  record(): BdcRecord;
  /** bumped when the deadlines move, so that the timers waiting on them are armed again */
  calendarVersion(): number;
  /** the history should continue as new: waiting stops so the main line can */
  mayContinueAsNew(): boolean;
  /** reminds the éditeur of a deadline, once */
  remind(name: DeadlineName, reminder: Reminder): Promise<void>;
}

/**
 * Waits for `done` or for the earliest of the named pending deadlines, armed again whenever the
 * calendar is amended; sends the éditeur's reminders of its pending deadlines on the way; wakes also
 * when the history should continue as new. Returns the deadline that passed, if one did.
 */
export async function waitForDeadline(
  bdc: Waiting,
  done: () => boolean,
  names: DeadlineName[],
): Promise<Deadline | undefined> {
  for (;;) {
    if (done() || bdc.mayContinueAsNew()) return undefined;
    const { deadlines } = bdc.record();
    const armed = nextDeadline(deadlines.filter((d) => names.includes(d.name)));
    const version = bdc.calendarVersion();
    const woken = () => done() || bdc.calendarVersion() !== version || bdc.mayContinueAsNew();
    // the reminder of a pending deadline comes first when it is due before the deadline waited on
    const next = nextReminder(deadlines);
    if (next && (!armed || Date.parse(next.reminder.at) <= Date.parse(armed.at))) {
      const untilReminder = Date.parse(next.reminder.at) - Date.now();
      if (untilReminder <= 0) await bdc.remind(next.deadline.name, next.reminder);
      else
        await condition(woken, untilReminder, {
          // what admins read in the Web UI, in French like every screen (replay never compares it)
          summary: `rappel : ${deadlineFr[next.deadline.name]}, le ${parisDateTimeFr(next.reminder.at)}`,
        });
      continue;
    }
    if (!armed) {
      await condition(woken);
      continue;
    }
    const remaining = Date.parse(armed.at) + 1 - Date.now();
    if (remaining <= 0) return armed;
    await condition(woken, remaining, {
      summary: `échéance : ${deadlineFr[armed.name]}, le ${parisDateTimeFr(armed.at)}`,
    });
  }
}
