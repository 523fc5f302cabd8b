import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import type { Sql } from './sql';

/**
 * The registry of event ids: a caller's event id names one event across every BDC and control. The
 * first use of an id is kept; the same id for the same subject and kind passes (a duplicate, answered
 * by its subject as the first time); for another subject or kind it is refused.
 */
export class EventIds {
  constructor(private readonly sql: Sql) {}

  async claim(eventId: string, subject: string, kind: string): Promise<void> {
    const inserted = await this.sql.query(
      'INSERT INTO event_ids (event_id, subject, kind) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING RETURNING event_id',
      [eventId, subject, kind],
    );
    if (inserted.length) return;
    const [first] = await this.sql.query<{ subject: string; kind: string }>(
      'SELECT subject, kind FROM event_ids WHERE event_id = $1',
      [eventId],
    );
    if (first && (first.subject !== subject || first.kind !== kind))
      throw refuse(
        'event_id_reused',
        first.subject === subject
          ? say('event_id_reused', { eventId, kind: first.kind, same: false })
          : say('event_id_used_elsewhere', { eventId, subject: first.subject, kind: first.kind }),
        'eventId',
        eventId,
      );
  }
}
