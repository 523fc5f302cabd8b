/**
 * French civil dates ('YYYY-MM-DD') and the instants they stand for. A deadline day ends at
 * 23:59:59.999 Europe/Paris; this conversion happens outside workflows, which only see instants.
 */
export const PARIS = 'Europe/Paris';

/** 'YYYY-MM-DD' */
export type CivilDate = string;

export function isCivilDate(v: unknown): v is CivilDate {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** An ISO-8601 instant with its offset ("2024-04-17T21:59:59.999Z", "…+02:00"), and a real one. */
export function isInstant(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
    !Number.isNaN(Date.parse(v))
  );
}

function civilDateParts(date: CivilDate): [number, number, number] {
  if (!isCivilDate(date)) throw new RangeError(`not a civil date: ${date}`);
  return date.split('-').map(Number) as [number, number, number];
}

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
  const [y, mo, d] = civilDateParts(date);
  const asUtc = Date.UTC(y, mo - 1, d, h, min, s, ms);
  // The offset is read at the guessed instant, then once more at the corrected one (they differ only
  // within the hours of a DST change).
  const first = asUtc - parisOffsetMinutes(asUtc) * 60_000;
  return new Date(asUtc - parisOffsetMinutes(first) * 60_000);
}

/** The instant of a Paris wall-clock time on a civil date ("09:00 on 2024-03-18"). */
export function parisTimeOn(date: CivilDate, hours: number, minutes = 0): Date {
  return parisWallClock(date, hours, minutes, 0, 0);
}

export function endOfParisDay(date: CivilDate): Date {
  return parisWallClock(date, 23, 59, 59, 999);
}

export function startOfParisDay(date: CivilDate): Date {
  return parisWallClock(date, 0, 0, 0, 0);
}

const parisDateParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: PARIS,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris civil date on which an instant falls (its year in four digits: Intl writes 526, not 0526). */
export function parisCivilDate(instant: Date): CivilDate {
  const parts = parisDateParts.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

export function addCalendarDays(date: CivilDate, days: number): CivilDate {
  const [y, m, d] = civilDateParts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
