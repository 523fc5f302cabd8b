import type { AuditEntry } from '../domain/bdc-view';
import { readAudit } from './recorded';
import type { Sql } from './sql';
import { personNameSql } from './people';

/** An audit line of a BDC, or of one of its controls, as the audit trail's export gives it. */
export interface AuditLine {
  bdcId: string;
  controlId?: string;
  entry: AuditEntry;
}

/**
 * Every audit line of the BDCs and their controls, in the order they happened (from `from` to `to` included,
 * of one BDC if asked, at most `limit`). A line written by a person names it (`actor_name`, since migration 016); a
 * person's line written before names it from `people`, where its id is a person's.
 */
export async function auditTrail(
  sql: Sql,
  filter: { from?: string; to?: string; bdcId?: string; limit: number },
): Promise<AuditLine[]> {
  const rows = await sql.query(
    `WITH lines AS (
       SELECT a.bdc_id, NULL::text AS control_id, a.seq, a.at, a.kind, a.what, a.actor_role, a.actor_id, a.actor_name,
              a.event_id, a.message_key, a.params
       FROM bdc_audit a
       UNION ALL
       SELECT c.bdc_id, a.control_id, a.seq, a.at, a.kind, a.what, a.actor_role, a.actor_id, a.actor_name,
              a.event_id, a.message_key, a.params
       FROM control_audit a JOIN controls c USING (control_id))
     SELECT l.bdc_id, l.control_id, l.seq, l.at, l.kind, l.what, l.actor_role, l.actor_id, l.event_id, l.message_key,
            l.params, COALESCE(l.actor_name, ${personNameSql('p')}) AS actor_name
     FROM lines l LEFT JOIN people p ON p.person_id = l.actor_id
     WHERE ($1::timestamptz IS NULL OR l.at >= $1) AND ($2::timestamptz IS NULL OR l.at <= $2)
       AND ($4::text IS NULL OR l.bdc_id = $4)
     ORDER BY l.at, l.bdc_id, l.control_id NULLS FIRST, l.seq
     LIMIT $3`,
    [filter.from ?? null, filter.to ?? null, filter.limit, filter.bdcId ?? null],
  );
  return rows.map((r) => ({
    bdcId: String(r.bdc_id),
    ...(r.control_id ? { controlId: String(r.control_id) } : {}),
    entry: readAudit(r),
  }));
}
