import { isDeepStrictEqual } from 'node:util';
import { campaignSchema, type Campaign } from '../domain/campaign';
import { parisCivilDate } from '../domain/calendar';
import { refuse } from '../domain/refusal';
import type { Sql } from '../db/sql';

export interface CalendarChange {
  eventId: string;
  orderDeadline?: string;
  closingDate?: string;
  /** a precise instant instead of the end of closingDate */
  closingAt?: string;
  reason: string;
  actor: string;
}

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ? String(v).slice(0, 10) : undefined);

/** Records an amendment once per event id; answers whether it was new. */
export async function recordAmendment(sql: Sql, campaignId: string, change: CalendarChange): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO campaign_amendments (campaign_id, event_id, order_deadline, closing_date, closing_at, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (event_id) DO NOTHING RETURNING id`,
    [campaignId, change.eventId, change.orderDeadline ?? null, change.closingDate ?? null, change.closingAt ?? null, change.reason, change.actor],
  );
  return rows.length > 0;
}

const readDefinition = (definition: unknown): Campaign => campaignSchema.parse(typeof definition === 'string' ? JSON.parse(definition) : definition);

/** Adds a campaign at run time; the same definition again is a no-op, another one under its id refused. */
export async function addCampaign(sql: Sql, configured: Campaign[], campaign: Campaign): Promise<void> {
  if (configured.some((c) => c.id === campaign.id)) throw refuse('campaign_exists', `campaign ${campaign.id} is configured already`, 'id', campaign.id);
  await sql.query('INSERT INTO campaigns (campaign_id, definition) VALUES ($1, $2) ON CONFLICT (campaign_id) DO NOTHING', [campaign.id, JSON.stringify(campaign)]);
  const [row] = await sql.query<{ definition: unknown }>('SELECT definition FROM campaigns WHERE campaign_id = $1', [campaign.id]);
  // jsonb keeps no key order: compare the parsed definitions
  if (!isDeepStrictEqual(readDefinition(row!.definition), campaignSchema.parse(JSON.parse(JSON.stringify(campaign))))) {
    throw refuse('campaign_exists', `campaign ${campaign.id} exists with another definition`, 'id', campaign.id);
  }
}

/**
 * The configured campaigns and those added at run time, with their recorded amendments applied in
 * order: what new BDCs use.
 */
export async function effectiveCampaigns(sql: Sql, configured: Campaign[]): Promise<Campaign[]> {
  const added = (await sql.query<{ definition: unknown }>('SELECT definition FROM campaigns ORDER BY added_at')).map((r) => readDefinition(r.definition));
  const amendments = await sql.query<{ campaign_id: string; order_deadline: unknown; closing_date: unknown; closing_at: unknown }>(
    'SELECT campaign_id, order_deadline, closing_date, closing_at FROM campaign_amendments ORDER BY id',
  );
  return [...configured, ...added].map((c) =>
    amendments
      .filter((a) => a.campaign_id === c.id)
      .reduce((acc, a): Campaign => {
        const closingAt = a.closing_at ? new Date(a.closing_at as string).toISOString() : undefined;
        const closingDate = closingAt ? parisCivilDate(new Date(closingAt)) : day(a.closing_date);
        return { ...acc, orderDeadline: day(a.order_deadline) ?? acc.orderDeadline, ...(closingDate ? { closingDate, closingAt } : {}) };
      }, c),
  );
}
