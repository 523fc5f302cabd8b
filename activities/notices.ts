import { log } from '@temporalio/activity';
import type { Campaign } from '../domain/campaign';
import { campaignDeadlines } from '../domain/campaign';
import { addCalendarDays, parisCivilDate, parisTimeOn } from '../domain/calendar';
import { planReminders, REMINDER_HOUR } from '../domain/reminders';
import { JournalRecords } from '../db/journal-records';
import { Notifications } from '../db/notifications';
import type { Sql } from '../db/sql';

/**
 * The day's notices, queued in the outbox once each (their keys name the day): the operators' digest
 * (overdue reimbursements, BDCs to examine, controls past due) and the reminders of the campaigns'
 * order deadlines to every éditeur that has a contact.
 */
export function createNoticeActivities(sql: Sql, campaigns: () => Promise<Campaign[]>) {
  const outbox = new Notifications(sql);
  return {
    /** The next 09:00 Paris after an instant (the day's notices go out then). */
    async nextNoticeTime({ after }: { after: string }): Promise<{ at: string; day: string }> {
      const today = parisCivilDate(new Date(after));
      const todayAt = parisTimeOn(today, REMINDER_HOUR);
      const day = todayAt.getTime() > Date.parse(after) ? today : addCalendarDays(today, 1);
      return { at: parisTimeOn(day, REMINDER_HOUR).toISOString(), day };
    },

    async queueDailyNotices({
      day,
      at,
    }: {
      day: string;
      at: string;
    }): Promise<{ digest: boolean; orderDeadlineReminders: number }> {
      const [row] = await sql.query<{ overdue: number; overdue_cents: number; attention: number }>(
        `SELECT count(*) FILTER (WHERE reimbursement_overdue AND running)::int AS overdue,
                COALESCE(sum(to_reimburse_cents - reimbursed_cents) FILTER (WHERE reimbursement_overdue AND running), 0)::int8 AS overdue_cents,
                count(*) FILTER (WHERE status = 'needs_attention')::int AS attention
         FROM bdcs WHERE state IS NOT NULL`,
      );
      const [controls] = await sql.query<{ due: number }>(
        "SELECT count(*)::int AS due FROM controls WHERE overdue AND status NOT IN ('passed', 'recovered', 'written_off')",
      );
      await outbox.enqueue({
        key: `digest:${day}`,
        template: 'operator_digest',
        to: { party: 'operators', id: 'asp' },
        params: {
          at,
          overdue: row!.overdue,
          overdueCents: Number(row!.overdue_cents),
          attention: row!.attention,
          controlsDue: controls!.due,
          ...(await journalLine(sql)),
        },
      });
      // an order deadline is the campaign's: its reminder goes to every éditeur with a contact
      let reminders = 0;
      const editeurs = await outbox.editeurContacts();
      for (const campaign of await campaigns()) {
        const deadlineAt = campaignDeadlines(campaign).orderDeadline;
        const dayBefore = Date.parse(at) - 86_400_000;
        for (const r of planReminders(
          deadlineAt,
          { reminderOffsetsDays: campaign.reminderOffsetsDays },
          dayBefore,
        ).filter((x) => parisCivilDate(new Date(x.at)) === day)) {
          for (const e of editeurs) {
            await outbox.enqueue({
              key: `order-deadline:${campaign.id}:${e.partyId}:${r.before}`,
              template: 'order_deadline_reminder',
              to: { party: 'editeur', id: e.partyId },
              params: { campaignId: campaign.id, campaignLabel: campaign.label, deadlineAt, before: r.before },
            });
            reminders++;
          }
        }
      }
      log.info('daily notices queued', { day, orderDeadlineReminders: reminders });
      return { digest: true, orderDeadlineReminders: reminders };
    },
  };
}

export type NoticeActivities = ReturnType<typeof createNoticeActivities>;

/** What the digest says of the journal's last verification: an alert while it found a mismatch. */
async function journalLine(sql: Sql): Promise<{ journal?: string; journalMismatch?: boolean }> {
  const { last } = await new JournalRecords(sql).lastFinished();
  if (!last) return {};
  if (last.status === 'mismatch')
    return {
      journalMismatch: true,
      journal: `ALERTE — journal infalsifiable : ${last.mismatches} écart(s) à la vérification n° ${last.id} ; premier écart à l’écriture n° ${last.firstMismatch?.seq ?? '—'} : ${last.firstMismatch?.what ?? ''}`,
    };
  return {
    journal: `Journal infalsifiable vérifié jusqu’à l’écriture n° ${last.verifiedSeq} (vérification n° ${last.id}).`,
  };
}
