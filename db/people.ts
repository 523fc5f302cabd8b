import { createHash } from 'node:crypto';
import { say } from '../domain/messages';
import { RefusedError, refuse } from '../domain/refusal';
import { grantRefusal, type PersonRole } from '../domain/roles';
import { journalFacts } from './journal-facts';
import { containing, type Sql } from './sql';

/** What a provider says of a person (ProConnect's claims), kept as it last signed in. */
export interface PersonClaims {
  given_name?: string;
  usual_name?: string;
  email?: string;
  siret?: string;
  uid?: string;
  idp_id?: string;
}

export interface Grant {
  role: PersonRole;
  editeurId?: string;
  grantedBy: string;
  grantedAt: string;
}

export interface Person extends PersonClaims {
  personId: string;
  issuer: string;
  subject: string;
  status: 'active' | 'disabled';
  lastSignInAt?: string;
  grants: Grant[];
}

/** A person's id: stable, from its provider's issuer and subject (the same person signs in again as itself). */
export const personIdOf = (issuer: string, subject: string) =>
  `p-${createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 24)}`;

/** A person's name in SQL, as `displayName` says it (the row of `people` aliased `alias`). */
export const personNameSql = (alias: string) =>
  `COALESCE(NULLIF(concat_ws(' ', ${alias}.given_name, ${alias}.usual_name), ''), ${alias}.email)`;

/** How a person is named on screens and in the audit trail. */
export const displayName = (p: PersonClaims & { subject?: string }) =>
  [p.given_name, p.usual_name].filter(Boolean).join(' ') || p.email || p.subject || '?';

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v ? new Date(String(v)).toISOString() : undefined);

/** A person's row as `people` takes it: who, and the claims its provider gave (absent ones null). */
const rowOf = (personId: string, issuer: string, subject: string, c: PersonClaims) => [
  personId,
  issuer,
  subject,
  ...(['given_name', 'usual_name', 'email', 'siret', 'uid', 'idp_id'] as const).map((k) => c[k] ?? null),
];

/** The people the engine knows and their roles (issue 23): who may do what, granted and revoked by admins. */
export class People {
  constructor(private readonly sql: Sql) {}

  /** A person as it signs in: made the first time, its claims kept up to date. */
  async signedIn(issuer: string, subject: string, claims: PersonClaims): Promise<Person> {
    const personId = personIdOf(issuer, subject);
    await this.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO people (person_id, issuer, subject, given_name, usual_name, email, siret, uid, idp_id, last_sign_in_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT (person_id) DO UPDATE SET given_name = EXCLUDED.given_name, usual_name = EXCLUDED.usual_name,
           email = EXCLUDED.email, siret = EXCLUDED.siret, uid = EXCLUDED.uid, idp_id = EXCLUDED.idp_id, last_sign_in_at = now()`,
        rowOf(personId, issuer, subject, claims),
      );
      await journalFacts(tx, 'person', 'person_id = $1', [personId]);
    });
    return (await this.get(personId))!;
  }

  /** A person known before it first signs in (an admin's, or the demo's): its claims as given, nothing overwritten. */
  async known(issuer: string, subject: string, claims: PersonClaims): Promise<string> {
    const personId = personIdOf(issuer, subject);
    await this.sql.transaction(async (tx) => {
      const made = await tx.query(
        `INSERT INTO people (person_id, issuer, subject, given_name, usual_name, email, siret, uid, idp_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (person_id) DO NOTHING RETURNING person_id`,
        rowOf(personId, issuer, subject, claims),
      );
      if (made.length) await journalFacts(tx, 'person', 'person_id = $1', [personId]);
    });
    return personId;
  }

  async get(personId: string): Promise<Person | undefined> {
    return (await this.list({ personId }))[0];
  }

  async list(
    filter: { personId?: string; role?: PersonRole; search?: string; limit?: number } = {},
  ): Promise<Person[]> {
    const rows = await this.sql.query(
      `SELECT p.*, COALESCE(json_agg(json_build_object('role', g.role, 'editeurId', g.editeur_id, 'grantedBy', g.granted_by, 'grantedAt', g.granted_at)
                ORDER BY g.role) FILTER (WHERE g.grant_id IS NOT NULL), '[]') AS grants
       FROM people p LEFT JOIN role_grants g ON g.person_id = p.person_id AND g.revoked_at IS NULL
       WHERE ($1::text IS NULL OR p.person_id = $1)
         AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM role_grants r WHERE r.person_id = p.person_id AND r.role = $2 AND r.revoked_at IS NULL))
         AND ($3::text IS NULL OR concat_ws(' ', p.given_name, p.usual_name, p.email, p.siret) ILIKE $3)
       GROUP BY p.person_id ORDER BY p.usual_name NULLS LAST, p.given_name, p.person_id LIMIT $4`,
      [
        filter.personId ?? null,
        filter.role ?? null,
        filter.search ? containing(filter.search) : null,
        filter.limit ?? 500,
      ],
    );
    return rows.map((r) => ({
      personId: String(r.person_id),
      issuer: String(r.issuer),
      subject: String(r.subject),
      ...(r.given_name ? { given_name: String(r.given_name) } : {}),
      ...(r.usual_name ? { usual_name: String(r.usual_name) } : {}),
      ...(r.email ? { email: String(r.email) } : {}),
      ...(r.siret ? { siret: String(r.siret) } : {}),
      ...(r.uid ? { uid: String(r.uid) } : {}),
      ...(r.idp_id ? { idp_id: String(r.idp_id) } : {}),
      status: r.status as Person['status'],
      ...(r.last_sign_in_at ? { lastSignInAt: iso(r.last_sign_in_at) } : {}),
      grants: (typeof r.grants === 'string' ? JSON.parse(r.grants) : (r.grants as Record<string, unknown>[])).map(
        (g: Record<string, unknown>) => ({
          role: g.role as PersonRole,
          ...(g.editeurId ? { editeurId: String(g.editeurId) } : {}),
          grantedBy: String(g.grantedBy),
          grantedAt: iso(g.grantedAt)!,
        }),
      ),
    }));
  }

  /**
   * Grants a role, under a lock on the person: a role held already is answered as it is; a role the
   * law keeps apart from one the person holds (ordonnateur and comptable) is refused, naming the rule.
   */
  async grant(personId: string, role: PersonRole, grantedBy: string, editeurId?: string): Promise<'granted' | 'held'> {
    return this.sql.transaction(async (tx) => {
      const [person] = await tx.query('SELECT person_id FROM people WHERE person_id = $1 FOR UPDATE', [personId]);
      if (!person) throw refuse('not_found', say('unknown_person', { personId }), 'personId', personId);
      const held = (await tx.query<{ role: PersonRole; editeur_id: string | null }>(
        'SELECT role, editeur_id FROM role_grants WHERE person_id = $1 AND revoked_at IS NULL',
        [personId],
      )) as { role: PersonRole; editeur_id: string | null }[];
      const refusal = grantRefusal(
        held.map((g) => ({ role: g.role, editeurId: g.editeur_id ?? undefined })),
        role,
        editeurId,
      );
      if (refusal === 'held') return 'held';
      if (refusal) throw new RefusedError([refusal]);
      const [row] = await tx.query<{ grant_id: string }>(
        'INSERT INTO role_grants (person_id, role, editeur_id, granted_by) VALUES ($1, $2, $3, $4) RETURNING grant_id',
        [personId, role, editeurId ?? null, grantedBy],
      );
      await journalFacts(tx, 'role_grant', 'grant_id = $1', [row!.grant_id]);
      return 'granted';
    });
  }

  /** Revokes a role: it takes effect at the person's next request. */
  async revoke(personId: string, role: PersonRole, revokedBy: string, reason: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.query<{ grant_id: string }>(
        `UPDATE role_grants SET revoked_at = now(), revoked_by = $3, revoke_reason = $4
         WHERE person_id = $1 AND role = $2 AND revoked_at IS NULL RETURNING grant_id`,
        [personId, role, revokedBy, reason],
      );
      for (const r of rows) await journalFacts(tx, 'role_grant', 'grant_id = $1', [r.grant_id]);
      return rows.length > 0;
    });
  }

  /** Disables or enables a person: a disabled person's sessions open nothing from its next request. */
  async setStatus(personId: string, status: Person['status'], by: string, reason: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE people SET status = $2, disabled_at = CASE WHEN $2 = 'disabled' THEN now() END,
           disabled_by = CASE WHEN $2 = 'disabled' THEN $3 END, disabled_reason = CASE WHEN $2 = 'disabled' THEN $4 END
         WHERE person_id = $1 RETURNING person_id`,
        [personId, status, by, reason],
      );
      if (rows.length) await journalFacts(tx, 'person', 'person_id = $1', [personId]);
      return rows.length > 0;
    });
  }
}
