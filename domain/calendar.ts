import { z } from 'zod';

/**
 * French civil dates ('YYYY-MM-DD') and the instants they stand for. A deadline day ends at
 * 23:59:59.999 Europe/Paris; this conversion happens outside workflows, which only see instants.
 */
export const PARIS = 'Europe/Paris';

export const civilDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }, 'not a calendar date');
export type CivilDate = z.infer<typeof civilDateSchema>;

export const instantSchema = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 instant' });

const offsetFormatter = new Intl.DateTimeFormat('en-GB', { timeZone: PARIS, timeZoneName: 'longOffset' });

/** Paris's offset from UTC, in minutes, at an instant ("GMT+02:00" → 120). */
function parisOffsetMinutes(epochMs: number): number {
  const name = offsetFormatter.formatToParts(epochMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** The instant a Paris wall-clock time of that civil date stands for, correct across DST changes. */
function parisWallClock(date: CivilDate, h: number, min: number, s: number, ms: number): Date {
  const [y, mo, d] = civilDateSchema.parse(date).split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, min, s, ms);
  // The offset is read at the guessed instant, then once more at the corrected one (they differ only
  // within the hours of a DST change).
  const first = asUtc - parisOffsetMinutes(asUtc) * 60_000;
  return new Date(asUtc - parisOffsetMinutes(first) * 60_000);
}

export function endOfParisDay(date: CivilDate): Date {
  return parisWallClock(date, 23, 59, 59, 999);
}

export function startOfParisDay(date: CivilDate): Date {
  return parisWallClock(date, 0, 0, 0, 0);
}

/** The Paris civil date on which an instant falls. */
export function parisCivilDate(instant: Date): CivilDate {
  return new Intl.DateTimeFormat('en-CA', { timeZone: PARIS, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function addCalendarDays(date: CivilDate, days: number): CivilDate {
  const [y, m, d] = civilDateSchema.parse(date).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
