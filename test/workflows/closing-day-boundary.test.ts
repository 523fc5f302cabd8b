import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile, iso } from '../support/harness';

// Its own test server: the time skipped by other tests' timers must not move this clock.
const h = harnessPerFile();

/** the next `MM-DD` that falls at least 40 days after the test server's date */
async function nextDate(monthDay: string): Promise<string> {
  const soonest = addCalendarDays(parisCivilDate(new Date(await h.now())), 40);
  const year = Number(soonest.slice(0, 4));
  return `${year}-${monthDay}` >= soonest ? `${year}-${monthDay}` : `${year + 1}-${monthDay}`;
}

describe.each([
  ['CET', '02-26', '22:59:59.999Z'],
  ['CEST', '04-16', '21:59:59.999Z'],
])('the closing day ends at 23:59:59.999 Paris (%s)', (zone, monthDay, utcTime) => {
  test('a VA received at 23:59:59.999 is accepted, 1 ms later refused; the BDC lapses just after', async () => {
    const closingDate = await nextDate(monthDay);
    const campaign = { closingDate };
    const lastInstant = `${closingDate}T${utcTime}`;

    const inTime = await h.register({ campaign });
    const view = await h.waitForStatus(inTime.bdcId, 'awaiting_va');
    expect(view.deadlines.find((d) => d.name === 'closing')!.at).toBe(lastInstant);
    await h.send(inTime.bdcId, bdcMessages.vaSubmitted, {
      ...validVa(inTime.request, iso(await h.now()), 584_000),
      receivedAt: lastInstant,
    });
    expect((await h.result(inTime.bdcId)).status).toBe('completed');

    const late = await h.register({ campaign });
    await h.waitForStatus(late.bdcId, 'awaiting_va');
    const oneMsLater = iso(Date.parse(lastInstant) + 1);
    const refusals = await h
      .send(late.bdcId, bdcMessages.vaSubmitted, {
        ...validVa(late.request, iso(await h.now()), 584_000),
        receivedAt: oneMsLater,
      })
      .catch((e: RefusedError) => e.refusals);
    expect(refusals).toMatchObject([
      {
        code: 'va_received_after_closing',
        message: `VA received after the closing date (${lastInstant})`,
        path: 'receivedAt',
        value: oneMsLater,
      },
    ]);

    // the closing timer: still waiting 1 s before the end of the day, lapsed just after it
    await h.sleepPast(lastInstant, -1_000);
    expect((await h.state(late.bdcId)).status).toBe('awaiting_va');
    await h.sleepPast(lastInstant, 1);
    expect(
      (await h.waitForStatus(late.bdcId, 'reimbursement_due')).deadlines.find((d) => d.name === 'closing')!.state,
    ).toBe('missed');
    expect(await h.money(late.bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
    expect((await h.reimburseInFull(late.bdcId)).status).toBe('reimbursed');
    await h.keepHistory(late.bdcId, `closing-day-lapsed-${zone}`);
  });
});
