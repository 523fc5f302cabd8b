import type { Campaign } from '../domain/campaign';
import type { Sql } from '../db/sql';

export interface CalendarChange {
  eventId: string;
  orderDeadline?: string;
  closingDate?: string;
  reason: string;
  actor: string;
}

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ? String(v).slice(0, 10) : undefined);

/** Records an amendment once per event id; answers whether it was new. */
export async function recordAmendment(sql: Sql, campaignId: string, change: CalendarChange): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO campaign_amendments (campaign_id, event_id, order_deadline, closing_date, reason, actor) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (event_id) DO NOTHING RETURNING id`,
    [campaignId, change.eventId, change.orderDeadline ?? null, change.closingDate ?? null, change.reason, change.actor],
  );
  return rows.length > 0;
}

/** The configured campaigns with their recorded amendments applied in order: what new BDCs use. */
export async function effectiveCampaigns(sql: Sql, configured: Campaign[]): Promise<Campaign[]> {
  const amendments = await sql.query<{ campaign_id: string; order_deadline: unknown; closing_date: unknown }>('SELECT campaign_id, order_deadline, closing_date FROM campaign_amendments ORDER BY id');
  return configured.map((c) =>
    amendments
      .filter((a) => a.campaign_id === c.id)
      .reduce((acc, a) => ({ ...acc, orderDeadline: day(a.order_deadline) ?? acc.orderDeadline, closingDate: day(a.closing_date) ?? acc.closingDate }), c),
  );
}
