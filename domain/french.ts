import { PARIS } from './calendar';

/**
 * How French users read money and time: euros as "1 752,00 €", instants as Paris dates and times.
 * Pure functions over Intl. Workflow code calls them only for what admins read in the Web UI (timer
 * summaries, current details), which replay never compares; everything else the edges localize.
 */

/** One formatter of each kind, made on first use: the catalogue that imports this is bundled into workflow code, which never formats. */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}
const euros = once(() => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }));
/** "1 752,00 €" (Intl's narrow no-break space between thousands, a no-break space before €) */
export const eurosFr = (cents: number) => euros().format(cents / 100);

/** "1752,00": what a French spreadsheet reads as a number (no thousands separator) */
export const decimalCommaFr = (cents: number) => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
};

const dateFormat = once(
  () => new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, day: '2-digit', month: '2-digit', year: 'numeric' }),
);
const timeFormat = once(
  () => new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, hour: '2-digit', minute: '2-digit' }),
);
const longFormat = once(
  () => new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS, day: 'numeric', month: 'long', year: 'numeric' }),
);

const asDate = (instant: string | Date) => (instant instanceof Date ? instant : new Date(instant));

/** "28/02/2024", the Paris day of an instant */
export const parisDateFr = (instant: string | Date) => dateFormat().format(asDate(instant));
/** "28/02/2024 23:59" */
export const parisDateTimeFr = (instant: string | Date) =>
  `${dateFormat().format(asDate(instant))} ${timeFormat().format(asDate(instant))}`;
/** "17 avril 2024" */
export const parisLongDateFr = (instant: string | Date) => longFormat().format(asDate(instant));

/** A civil date "2024-04-17" as "17/04/2024" (no time zone involved: it is a day, not an instant). */
export function civilDateFr(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : date;
}

/** "dans 3 jours", "il y a 2 heures": the time left before (or since) a deadline */
const relative = once(() => new Intl.RelativeTimeFormat('fr-FR', { numeric: 'auto' }));
export function timeLeftFr(instant: string, now: number): string {
  const ms = Date.parse(instant) - now;
  const abs = Math.abs(ms);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs >= 86_400_000
      ? [Math.trunc(ms / 86_400_000), 'day']
      : abs >= 3_600_000
        ? [Math.trunc(ms / 3_600_000), 'hour']
        : [Math.trunc(ms / 60_000), 'minute'];
  return relative().format(value, unit);
}

/** A French decimal typed by a user ("1 752,50", "1752.5") as cents, or undefined when it is not one. */
export function parseEurosFr(text: string): number | undefined {
  const cleaned = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return undefined;
  const [whole, fraction = ''] = cleaned.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** A French decimal number ("42,5") as a number, or undefined. */
export function parseNumberFr(text: string): number | undefined {
  const cleaned = text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : undefined;
}
