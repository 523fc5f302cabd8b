import { Fresh } from './fresh';
import type { Sql } from './sql';

/** An amendment of a campaign's calendar, as an operator asked for it. */
export interface CalendarChange {
  eventId: string;
  orderDeadline?: string;
  closingDate?: string;
  /** a precise instant instead of the end of closingDate */
  closingAt?: string;
  reason: string;
  actor: string;
}

export interface AmendmentRow {
  campaignId: string;
  orderDeadline?: string;
  closingDate?: string;
  closingAt?: string;
}

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ? String(v).slice(0, 10) : undefined);

/**
 * What reads of campaigns may reuse: every registration checks its campaign, and campaigns change
 * rarely. A change made through this store is seen at once; one made by another process, within this.
 */
const FRESH_MS = 5_000;

/** Campaigns added at run time and the calendar amendments of every campaign. */
export class CampaignStore {
  private readonly fresh = new Fresh(FRESH_MS, async () => {
    const [definitions, amendments] = await Promise.all([this.definitions(), this.amendments()]);
    return { definitions, amendments };
  });

  constructor(readonly sql: Sql) {}

  /** The definitions and the amendments, read once every few seconds. */
  snapshot(): Promise<{ definitions: unknown[]; amendments: AmendmentRow[] }> {
    return this.fresh.get();
  }

  /** Records an amendment once per event id; answers whether it was new. */
  async recordAmendment(campaignId: string, change: CalendarChange): Promise<boolean> {
    const rows = await this.sql.query(
      `INSERT INTO campaign_amendments (campaign_id, event_id, order_deadline, closing_date, closing_at, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [
        campaignId,
        change.eventId,
        change.orderDeadline ?? null,
        change.closingDate ?? null,
        change.closingAt ?? null,
        change.reason,
        change.actor,
      ],
    );
    this.fresh.forget();
    return rows.length > 0;
  }

  async hasAmendment(eventId: string): Promise<boolean> {
    return (await this.sql.query('SELECT 1 FROM campaign_amendments WHERE event_id = $1', [eventId])).length > 0;
  }

  /** Inserts a definition unless its id exists; answers the definition stored under the id. */
  async addDefinition(campaignId: string, definition: unknown): Promise<unknown> {
    await this.sql.query(
      'INSERT INTO campaigns (campaign_id, definition) VALUES ($1, $2) ON CONFLICT (campaign_id) DO NOTHING',
      [campaignId, JSON.stringify(definition)],
    );
    this.fresh.forget();
    const [row] = await this.sql.query<{ definition: unknown }>(
      'SELECT definition FROM campaigns WHERE campaign_id = $1',
      [campaignId],
    );
    return parseJson(row!.definition);
  }

  /** The definitions added at run time, in the order they were added. */
  async definitions(): Promise<unknown[]> {
    return (await this.sql.query<{ definition: unknown }>('SELECT definition FROM campaigns ORDER BY added_at')).map(
      (r) => parseJson(r.definition),
    );
  }

  /** Every amendment, in the order it was recorded. */
  async amendments(): Promise<AmendmentRow[]> {
    const rows = await this.sql.query<{
      campaign_id: string;
      order_deadline: unknown;
      closing_date: unknown;
      closing_at: unknown;
    }>('SELECT campaign_id, order_deadline, closing_date, closing_at FROM campaign_amendments ORDER BY id');
    return rows.map((a) => ({
      campaignId: a.campaign_id,
      orderDeadline: day(a.order_deadline),
      closingDate: day(a.closing_date),
      closingAt: a.closing_at ? new Date(a.closing_at as string).toISOString() : undefined,
    }));
  }
}

/** jsonb comes back parsed from PostgreSQL, as text from some drivers. */
const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
