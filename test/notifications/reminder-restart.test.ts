import { setContact } from '../../client/notices';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 15: a reminder is sent once across worker restarts — one before it is due (the workflow moves
// to another worker), one just after it was sent. On the dev server, in real time: a campaign whose
// closing falls a minute and a bit from now, reminded one minute before.
const h = harnessPerFile({ server: 'dev', mail: true });

test('a reminder one minute before the closing: one email, whatever the restarts', async () => {
  await setContact(await h.engine(), { party: 'editeur', partyId: 'editeur-acme', emails: ['dsi@acme.example'] });
  const closingAt = new Date(Date.now() + 75_000).toISOString();
  const { bdcId } = await h.register({ campaign: { closingAt, reminderOffsetsDays: [], reminderOffsetsMinutes: [1] } });
  const view = await h.waitForStatus(bdcId, 'awaiting_va');
  const [reminder] = view.deadlines.find((d) => d.name === 'closing')!.reminders!;
  expect(reminder).toEqual({ at: new Date(Date.parse(closingAt) - 60_000).toISOString(), before: 'PT1M' });

  await h.restartWorker();
  const mails = await eventually(
    async () => {
      const m = await h.mailbox.messages();
      return m.length > 0 && m;
    },
    { budgetMs: 60_000, what: 'the reminder email' },
  );
  expect(mails[0]!.text).toContain('dans 1 min');
  await h.restartWorker();
  // the closing passes: the BDC lapses, its advance demanded back; the reminder was sent once
  await eventually(async () => (await h.state(bdcId)).status === 'reimbursement_due', {
    budgetMs: 90_000,
    what: 'the closing passed',
  });
  expect(await h.mailbox.messages()).toHaveLength(1);
  expect((await h.state(bdcId)).audit.filter((a) => a.kind === 'reminder_sent')).toHaveLength(1);
  const [row] = await (
    await h.engine()
  ).sql.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE bdc_id = $1', [bdcId]);
  expect(row!.n).toBe(1);
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
}, 240_000);
