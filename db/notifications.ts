import { renderNotice, type NoticeTemplate, type NotificationRequest, type Party } from '../domain/notices';

export type { NotificationRequest, Party } from '../domain/notices';
import { journalFacts } from './journal-facts';
import type { Sql } from './sql';

/** A webhook signing secret as the database keeps it: sealed (notifications/secret-box.ts), with its key's id. */
export interface SealedSecret {
  keyId: string;
  sealed: Buffer;
}

export interface Contact {
  party: Party;
  partyId: string;
  emails: string[];
  webhookUrl?: string;
  webhookSecret?: SealedSecret;
  /** a secret kept in clear before secrets were sealed: sealed at the engine's next start */
  clearWebhookSecret?: string;
}

export interface Outgoing {
  notificationId: string;
  channel: 'email' | 'webhook';
  party: Party;
  partyId: string;
  bdcId?: string;
  template: NoticeTemplate;
  subject: string;
  body: string;
  payload: Record<string, unknown>;
  address?: string;
  status: 'pending' | 'sent' | 'failed' | 'no_contact';
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function readOutgoing(r: Record<string, unknown>): Outgoing {
  return {
    notificationId: String(r.notification_id),
    channel: r.channel as Outgoing['channel'],
    party: r.party as Party,
    partyId: String(r.party_id),
    ...(r.bdc_id ? { bdcId: String(r.bdc_id) } : {}),
    template: r.template as NoticeTemplate,
    subject: String(r.subject),
    body: String(r.body),
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    ...(r.address ? { address: String(r.address) } : {}),
    status: r.status as Outgoing['status'],
    attempts: Number(r.attempts),
    ...(r.last_error ? { lastError: String(r.last_error) } : {}),
    createdAt: iso(r.created_at),
    ...(r.sent_at ? { sentAt: iso(r.sent_at) } : {}),
  };
}

/** Contacts (data), and the outbox of notifications: queued once per key and channel, then delivered. */
export class Notifications {
  constructor(readonly sql: Sql) {}

  /**
   * Sets a contact. A contact saved without a secret keeps the one it had: a secret is replaced by
   * another, never dropped by omission.
   */
  async setContact(c: Omit<Contact, 'clearWebhookSecret'>): Promise<void> {
    await this.sql.query(
      `INSERT INTO contacts (party, party_id, emails, webhook_url, webhook_secret_key_id, webhook_secret_sealed) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (party, party_id) DO UPDATE SET emails = EXCLUDED.emails, webhook_url = EXCLUDED.webhook_url,
         webhook_secret_key_id = COALESCE(EXCLUDED.webhook_secret_key_id, contacts.webhook_secret_key_id),
         webhook_secret_sealed = COALESCE(EXCLUDED.webhook_secret_sealed, contacts.webhook_secret_sealed),
         webhook_secret = CASE WHEN EXCLUDED.webhook_secret_sealed IS NULL THEN contacts.webhook_secret END,
         updated_at = now()`,
      [
        c.party,
        c.partyId,
        c.emails,
        c.webhookUrl ?? null,
        c.webhookSecret?.keyId ?? null,
        c.webhookSecret?.sealed ?? null,
      ],
    );
  }

  async contact(party: Party, partyId: string): Promise<Contact | undefined> {
    const [r] = await this.sql.query<{
      emails: string[];
      webhook_url: string | null;
      webhook_secret: string | null;
      webhook_secret_key_id: string | null;
      webhook_secret_sealed: Uint8Array | null;
    }>(
      'SELECT emails, webhook_url, webhook_secret, webhook_secret_key_id, webhook_secret_sealed FROM contacts WHERE party = $1 AND party_id = $2',
      [party, partyId],
    );
    return r
      ? {
          party,
          partyId,
          emails: r.emails,
          ...(r.webhook_url ? { webhookUrl: r.webhook_url } : {}),
          ...(r.webhook_secret_key_id && r.webhook_secret_sealed
            ? { webhookSecret: { keyId: r.webhook_secret_key_id, sealed: Buffer.from(r.webhook_secret_sealed) } }
            : {}),
          ...(r.webhook_secret ? { clearWebhookSecret: r.webhook_secret } : {}),
        }
      : undefined;
  }

  /** The secrets still kept in clear (saved before secrets were sealed). */
  async clearSecrets(): Promise<{ party: Party; partyId: string; secret: string }[]> {
    const rows = await this.sql.query<{ party: Party; party_id: string; webhook_secret: string }>(
      'SELECT party, party_id, webhook_secret FROM contacts WHERE webhook_secret IS NOT NULL',
    );
    return rows.map((r) => ({ party: r.party, partyId: r.party_id, secret: r.webhook_secret }));
  }

  /** Replaces a secret kept in clear by its sealed form (unless a new secret was set meanwhile). */
  async sealClearSecret(party: Party, partyId: string, clear: string, sealed: SealedSecret): Promise<void> {
    await this.sql.query(
      `UPDATE contacts SET webhook_secret = NULL, webhook_secret_key_id = $4, webhook_secret_sealed = $5
       WHERE party = $1 AND party_id = $2 AND webhook_secret = $3 AND webhook_secret_sealed IS NULL`,
      [party, partyId, clear, sealed.keyId, sealed.sealed],
    );
  }

  /** The contacts of every éditeur that has one (the order deadline's reminders go to them all). */
  async editeurContacts(): Promise<Contact[]> {
    const rows = await this.sql.query<{ party_id: string }>(
      "SELECT party_id FROM contacts WHERE party = 'editeur' ORDER BY party_id",
    );
    return (await Promise.all(rows.map((r) => this.contact('editeur', r.party_id)))).filter(
      (c): c is Contact => c !== undefined,
    );
  }

  /**
   * Queues a notification for each channel its party has (an email to its addresses, a webhook), or
   * records that it has none: once per key and channel, whatever the retries.
   */
  async enqueue(n: NotificationRequest & { bdcId?: string }): Promise<void> {
    const contact = n.email ? { emails: [n.email] } : await this.contact(n.to.party, n.to.id);
    const { subject, text } = renderNotice(n.template, n.params);
    const payload = JSON.stringify({ id: n.key, kind: n.template, ...n.params });
    const channels: [Outgoing['channel'], string | null, Outgoing['status']][] = [];
    if (contact?.emails.length) channels.push(['email', contact.emails.join(', '), 'pending']);
    if (contact && 'webhookUrl' in contact && contact.webhookUrl)
      channels.push(['webhook', contact.webhookUrl, 'pending']);
    if (!channels.length) channels.push(['email', null, 'no_contact']);
    // queued and journaled in one transaction (the caller's, when it runs in one)
    await this.sql.transaction(async (tx) => {
      for (const [channel, address, status] of channels) {
        const [queued] = await tx.query(
          `INSERT INTO notifications (notification_id, channel, party, party_id, bdc_id, template, subject, body, payload, address, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (notification_id, channel) DO NOTHING RETURNING 1`,
          [n.key, channel, n.to.party, n.to.id, n.bdcId ?? null, n.template, subject, text, payload, address, status],
        );
        if (queued) await journalFacts(tx, 'notification', 'notification_id = $1 AND channel = $2', [n.key, channel]);
      }
    });
  }

  /**
   * Takes notifications of a channel due for delivery, held `holdSeconds` under `token` (the take's):
   * at most `perAddress` of one address at a time, none of the addresses in `skip` (those this
   * dispatcher holds enough of already). Two dispatchers never take the same row at once (SKIP LOCKED).
   */
  async takeDue(
    channel: Outgoing['channel'],
    limit: number,
    {
      holdSeconds,
      token,
      perAddress,
      skip = [],
    }: { holdSeconds: number; token: string; perAddress: number; skip?: string[] },
  ): Promise<Outgoing[]> {
    const rows = await this.sql.query(
      `UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $2), lease_token = $3 WHERE (notification_id, channel) IN (
         SELECT notification_id, channel FROM notifications WHERE (notification_id, channel) IN (
           SELECT notification_id, channel FROM (
             SELECT notification_id, channel, next_attempt_at, row_number() OVER (PARTITION BY address ORDER BY next_attempt_at) AS rank
             FROM notifications WHERE status = 'pending' AND channel = $1 AND next_attempt_at <= now() AND COALESCE(address, '') <> ALL($5::text[])
           ) ranked WHERE rank <= $4 ORDER BY next_attempt_at LIMIT $6)
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [channel, holdSeconds, token, perAddress, skip, limit],
    );
    return rows.map(readOutgoing);
  }

  /**
   * Extends the hold on a notification for a delivery about to start, by the delivery's own bound —
   * only while the hold is still `token`'s: a hold that lapsed while the notification waited belongs
   * to whoever took it since, and this delivery does not happen. Answers whether it may go.
   */
  async claim(n: Pick<Outgoing, 'notificationId' | 'channel'>, token: string, holdSeconds: number): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $4)
       WHERE notification_id = $1 AND channel = $2 AND lease_token = $3 AND status = 'pending' RETURNING 1`,
      [n.notificationId, n.channel, token, holdSeconds],
    );
    return rows.length > 0;
  }

  async delivered(n: Pick<Outgoing, 'notificationId' | 'channel'>, token: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL, lease_token = NULL
       WHERE notification_id = $1 AND channel = $2 AND lease_token = $3 RETURNING 1`,
      [n.notificationId, n.channel, token],
    );
    return rows.length > 0;
  }

  /** A failed attempt: tried again after `retryInSeconds`, or given up (failed) past the last attempt. */
  async failed(
    n: Pick<Outgoing, 'notificationId' | 'channel'>,
    token: string,
    error: string,
    retryInSeconds: number | undefined,
  ): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE notifications SET attempts = attempts + 1, last_error = $4, status = CASE WHEN $5::int IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => COALESCE($5::int, 0)), lease_token = NULL
       WHERE notification_id = $1 AND channel = $2 AND lease_token = $3 RETURNING 1`,
      [n.notificationId, n.channel, token, error.slice(0, 1000), retryInSeconds ?? null],
    );
    return rows.length > 0;
  }

  /** Puts a notification back, to be taken again in `seconds`, its attempts unspent (a paused recipient, a stop). */
  async putBack(
    n: Pick<Outgoing, 'notificationId' | 'channel'>,
    token: string,
    seconds: number,
    why?: string,
  ): Promise<void> {
    await this.sql.query(
      `UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $4), lease_token = NULL, last_error = COALESCE($5, last_error)
       WHERE notification_id = $1 AND channel = $2 AND lease_token = $3`,
      [n.notificationId, n.channel, token, seconds, why ?? null],
    );
  }

  async ofBdc(bdcId: string): Promise<Outgoing[]> {
    return (
      await this.sql.query(
        'SELECT * FROM notifications WHERE bdc_id = $1 ORDER BY created_at, notification_id, channel',
        [bdcId],
      )
    ).map(readOutgoing);
  }

  /** What was sent (or tried) to one party, newest first. */
  async toParty(party: Party, partyId: string, limit: number): Promise<Outgoing[]> {
    return (
      await this.sql.query(
        'SELECT * FROM notifications WHERE party = $1 AND party_id = $2 ORDER BY created_at DESC, notification_id, channel LIMIT $3',
        [party, partyId, limit],
      )
    ).map(readOutgoing);
  }

  async recent(limit: number): Promise<Outgoing[]> {
    return (await this.sql.query('SELECT * FROM notifications ORDER BY created_at DESC LIMIT $1', [limit])).map(
      readOutgoing,
    );
  }
}
