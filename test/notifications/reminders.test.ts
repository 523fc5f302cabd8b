import { randomUUID } from 'node:crypto';
import { amendCalendar } from '../../client/campaigns';
import { setContact } from '../../client/notices';
import { parisCivilDate } from '../../domain/calendar';
import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessOperator, harnessPerFile, iso } from '../support/harness';

// Issue 15: an éditeur reminded before its deadlines at the campaign's offsets, at 09:00 Paris, by
// email through a real SMTP server (aiosmtpd); each reminder once; moved by a calendar amendment;
// none once the milestone is met. Time-skipping server, real ledger.
const h = harnessPerFile({ mail: true });

/** 09:00 on the Paris day `days` before an instant's Paris day, read back by Intl as a check. */
const paris = (instant: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(
    new Date(instant),
  );
const dayBefore = (instant: string, days: number) => {
  const [d, m, y] = new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  })
    .format(new Date(instant))
    .split('/')
    .map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(y, m - 1, d - days));
  return `${String(shifted.getUTCDate()).padStart(2, '0')}/${String(shifted.getUTCMonth() + 1).padStart(2, '0')}/${shifted.getUTCFullYear()} 09:00`;
};

const remindersOf = async (bdcId: string) => (await h.state(bdcId)).audit.filter((a) => a.kind === 'reminder_sent');

test('J-30, J-7: emailed at 09:00 Paris, once each; an amendment moves the rest; none after the VA', async () => {
  await setContact(await h.engine(), { party: 'editeur', partyId: 'editeur-acme', emails: ['dsi@acme.example'] });
  const { bdcId, request } = await h.register();
  const start = await h.waitForStatus(bdcId, 'awaiting_va');
  const closing = start.deadlines.find((d) => d.name === 'closing')!;
  // the plan: the campaign's offsets (30, 7, 1 days) at 09:00 Paris, read back by Intl
  expect(closing.reminders!.map((r) => paris(r.at))).toEqual([
    dayBefore(closing.at, 30),
    dayBefore(closing.at, 7),
    dayBefore(closing.at, 1),
  ]);
  const [j30, j7, j1] = closing.reminders!.map((r) => r.at) as [string, string, string];

  // a minute before J-30: nothing; just past it: one email
  await h.sleepPast(j30, -60_000);
  expect(await h.mailbox.messages()).toHaveLength(0);
  await h.sleepPast(j30);
  const first = await eventually(
    async () => {
      const mails = await h.mailbox.messages();
      return mails.length === 1 && mails;
    },
    { what: 'the J-30 email' },
  );
  expect(first[0]!.to).toBe('dsi@acme.example');
  expect(first[0]!.subject).toBe(
    `SONS — rappel : clôture (VA et facture) du BDC ${request.reference} le ${new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(closing.at))}`,
  );
  expect(first[0]!.text).toContain('dans 30 jours');
  const [sent] = await remindersOf(bdcId);
  expect(sent!.params?.at).toBe(j30);
  // sent at its instant (the server's clock, which the test moves): within a second of it
  expect(Date.parse(sent!.at) - Date.parse(j30)).toBeGreaterThanOrEqual(0);
  expect(Date.parse(sent!.at) - Date.parse(j30)).toBeLessThan(1_000);

  // J-7, once (a worker restart between two reminders: reminder-restart.test.ts, on the dev server)
  await h.sleepPast(j7);
  await eventually(async () => (await h.mailbox.messages()).length === 2, { what: 'the J-7 email' });
  expect((await remindersOf(bdcId)).map((a) => a.params?.before)).toEqual(['P30D', 'P7D']);

  // the closing moves 20 days later: J-1 of the old date is not sent; the new date's J-7 is
  const newClosingDate = parisCivilDate(new Date(Date.parse(closing.at) + 20 * 86_400_000));
  const { batchId } = await amendCalendar(await h.engine(), harnessOperator, 'test-ms1', {
    eventId: randomUUID(),
    closingDate: newClosingDate,
    reason: 'report de la clôture',
  });
  const moved = await eventually(
    async () => {
      const view = await h.state(bdcId);
      const c = view.deadlines.find((d) => d.name === 'closing')!;
      return c.at !== closing.at && c;
    },
    { what: `the batch ${batchId} applied` },
  );
  const newJ7 = moved.reminders!.find((r) => r.before === 'P7D')!.at;
  expect(paris(newJ7)).toBe(dayBefore(moved.at, 7));
  expect(moved.reminders!.some((r) => r.at === j1)).toBe(false);
  await h.sleepPast(newJ7);
  await eventually(async () => (await h.mailbox.messages()).length === 3, { what: 'the new J-7 email' });
  expect((await remindersOf(bdcId)).map((a) => a.params?.at)).toEqual([j30, j7, newJ7]);

  // the VA is accepted: the closing is met, no reminder of it goes out any more
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000));
  expect((await h.result(bdcId)).status).toBe('completed');
  expect(await h.mailbox.messages()).toHaveLength(3);
  expect(
    (await h.state(bdcId)).deadlines
      .find((d) => d.name === 'closing')!
      .reminders!.filter((r) => r.sent)
      .map((r) => r.at),
  ).toEqual([newJ7]);
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
  await h.keepHistory(bdcId, 'reminders-moved-then-va');
}, 300_000);

test('an éditeur without a contact: the reminder is recorded, its notification says so', async () => {
  const { bdcId } = await h.register({ request: { editeurId: 'editeur-sans-contact' } });
  const closing = (await h.waitForStatus(bdcId, 'awaiting_va')).deadlines.find((d) => d.name === 'closing')!;
  await h.sleepPast(closing.reminders![0]!.at);
  const sql = (await h.engine()).sql;
  const rows = await eventually(
    async () => {
      const found = await sql.query<{ status: string; channel: string }>(
        'SELECT status, channel FROM notifications WHERE bdc_id = $1',
        [bdcId],
      );
      return found.length > 0 && found;
    },
    { what: 'the notification recorded' },
  );
  expect(rows).toEqual([{ status: 'no_contact', channel: 'email' }]);
});
