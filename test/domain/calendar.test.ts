import { civilDateSchema } from '../../domain/schemas';
import { addCalendarDays, endOfParisDay, parisCivilDate, startOfParisDay } from '../../domain/calendar';

test.each([
  // CET (UTC+1) in winter, CEST (UTC+2) in summer
  ['2024-02-28', '2024-02-28T22:59:59.999Z'],
  ['2024-04-17', '2024-04-17T21:59:59.999Z'],
  // the days of the changes: 31 March 2024 starts in CET and ends in CEST; 27 October the reverse
  ['2024-03-30', '2024-03-30T22:59:59.999Z'],
  ['2024-03-31', '2024-03-31T21:59:59.999Z'],
  ['2024-10-26', '2024-10-26T21:59:59.999Z'],
  ['2024-10-27', '2024-10-27T22:59:59.999Z'],
  ['2023-12-31', '2023-12-31T22:59:59.999Z'],
])('the day %s ends at %s', (date, instant) => {
  expect(endOfParisDay(date).toISOString()).toBe(instant);
  expect(parisCivilDate(endOfParisDay(date))).toBe(date);
  expect(parisCivilDate(new Date(endOfParisDay(date).getTime() + 1))).toBe(addCalendarDays(date, 1));
});

test('a day of a DST change lasts 23 or 25 hours', () => {
  const length = (d: string) => (endOfParisDay(d).getTime() + 1 - startOfParisDay(d).getTime()) / 3_600_000;
  expect(length('2024-03-31')).toBe(23);
  expect(length('2024-10-27')).toBe(25);
  expect(length('2024-02-28')).toBe(24);
});

test('120 calendar days after an order, across a leap day', () => {
  expect(addCalendarDays('2023-12-01', 120)).toBe('2024-03-30');
  expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
});

test.each(['2024-02-30', '2024-13-01', '28/02/2024', '2024-2-28', ''])('%j is not a civil date', (s) => {
  expect(civilDateSchema.safeParse(s).success).toBe(false);
});

test('a date before 1900 is refused at the edge (the drill amended a calendar to « 0526-07-16 »: a 500); a year keeps its four digits', () => {
  for (const date of ['0526-07-16', '0001-01-01', '1899-12-31', '3000-01-01'])
    expect(civilDateSchema.safeParse(date).success).toBe(false);
  expect(civilDateSchema.safeParse('1900-01-01').success).toBe(true);
  // Intl writes the year 526 as « 526 »: a civil date keeps four digits
  expect(parisCivilDate(new Date(Date.UTC(526, 6, 16, 12)))).toBe('0526-07-16');
});
