import { log } from '@temporalio/activity';
import { addCalendarDays, endOfParisDay, parisCivilDate, startOfParisDay } from '../domain/calendar';
import type { Controls, ControlTransition } from '../db/controls';
import { refusalsAreFinal } from './ledger';

/** A control's activities: each transition with its money effect in one transaction; its Paris dates. */
export function createControlActivities(controls: Controls) {
  return {
    async commitControl(t: ControlTransition): Promise<{ recorded: boolean }> {
      const result = await refusalsAreFinal(() => controls.applyTransition(t));
      log.info(result.recorded ? 'control transition recorded' : 'control transition already recorded', {
        controlId: t.controlId,
        version: t.record.version,
        status: t.record.status,
      });
      return result;
    },
    /** When a recovery demanded at `issuedAt` is due: `days` later, at the end of that Paris day. */
    async recoveryDueDate({
      issuedAt,
      days,
    }: {
      issuedAt: string;
      days: number;
    }): Promise<{ dueAt: string; issuedDayStartsAt: string }> {
      const issuedOn = parisCivilDate(new Date(issuedAt));
      return {
        dueAt: endOfParisDay(addCalendarDays(issuedOn, days)).toISOString(),
        issuedDayStartsAt: startOfParisDay(issuedOn).toISOString(),
      };
    },
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
