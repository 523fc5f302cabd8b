import type { Sql } from './sql';
import { personNameSql } from './people';

/** a signalement with the name of the person who answered it */
const SELECTED = `SELECT s.*, ${personNameSql('p')} AS answered_by_name FROM signalements s LEFT JOIN people p ON p.person_id = s.answered_by`;

export type Signalement = {
  signalementId: string;
  ogFiness: string;
  editeurId: string;
  bdcId?: string;
  quoteCents?: number;
  description: string;
  contactEmail: string;
  status: 'open' | 'answered';
  answer?: string;
  answeredBy?: string;
  /** the person who answered, by name (a machine's answer keeps its token's name in answeredBy) */
  answeredByName?: string;
  answeredAt?: string;
  receivedAt: string;
};

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
const read = (r: Record<string, unknown>): Signalement => ({
  signalementId: String(r.signalement_id),
  ogFiness: String(r.og_finess),
  editeurId: String(r.editeur_id),
  ...(r.bdc_id ? { bdcId: String(r.bdc_id) } : {}),
  ...(r.quote_cents !== null && r.quote_cents !== undefined ? { quoteCents: Number(r.quote_cents) } : {}),
  description: String(r.description),
  contactEmail: String(r.contact_email),
  status: r.status as Signalement['status'],
  ...(r.answer
    ? {
        answer: String(r.answer),
        answeredBy: String(r.answered_by),
        ...(r.answered_by_name ? { answeredByName: String(r.answered_by_name) } : {}),
        answeredAt: iso(r.answered_at),
      }
    : {}),
  receivedAt: iso(r.received_at),
});

/** Signalements: an OG's report of a doubtful quote (seed 004), against an éditeur and a BDC; answered by an operator. */
export class Signalements {
  constructor(readonly sql: Sql) {}

  /** Records a signalement once under its id (a form sent twice is one signalement). */
  async record(s: Omit<Signalement, 'status' | 'receivedAt'>): Promise<void> {
    await this.sql.query(
      'INSERT INTO signalements (signalement_id, og_finess, editeur_id, bdc_id, quote_cents, description, contact_email) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (signalement_id) DO NOTHING',
      [s.signalementId, s.ogFiness, s.editeurId, s.bdcId ?? null, s.quoteCents ?? null, s.description, s.contactEmail],
    );
  }

  async get(id: string): Promise<Signalement | undefined> {
    const [r] = await this.sql.query(`${SELECTED} WHERE s.signalement_id = $1`, [id]);
    return r ? read(r) : undefined;
  }

  async list(filter: { editeurId?: string; bdcId?: string; status?: string }, limit = 200): Promise<Signalement[]> {
    const rows = await this.sql.query(
      `${SELECTED} WHERE ($1::text IS NULL OR s.editeur_id = $1) AND ($2::text IS NULL OR s.bdc_id = $2) AND ($3::text IS NULL OR s.status = $3) ORDER BY s.received_at DESC LIMIT $4`,
      [filter.editeurId ?? null, filter.bdcId ?? null, filter.status ?? null, limit],
    );
    return rows.map(read);
  }

  /** Answers an open signalement once; the same answer again changes nothing. */
  async answer(
    id: string,
    answer: string,
    by: string,
  ): Promise<{ signalement: Signalement; answered: boolean } | undefined> {
    const updated = await this.sql.query(
      "UPDATE signalements SET status = 'answered', answer = $2, answered_by = $3, answered_at = now() WHERE signalement_id = $1 AND status = 'open' RETURNING *",
      [id, answer, by],
    );
    const current = await this.get(id);
    return current ? { signalement: current, answered: updated.length > 0 } : undefined;
  }
}
