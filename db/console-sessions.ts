import type { Sql } from './sql';

/** Who a console session is of: a person signed in with an API token today, of an OpenID Connect provider tomorrow. */
export type SessionSubject =
  | { kind: 'api_token'; subject: string; roles: string[]; editeurId?: string; credentialSha256: string }
  | {
      kind: 'oidc';
      issuer: string;
      subject: string;
      roles: string[];
      editeurId?: string;
      personId: string;
      secondFactor: boolean;
      /** kept for the provider's end of session (RP-initiated logout asks it back) */
      idToken: string;
    };

export interface ConsoleSession {
  subject: SessionSubject;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** Why a session ended before it expired. */
export type SessionEnd = 'signed_out' | 'credential_revoked' | 'credential_unknown' | 'revoked';

interface Row {
  subject_kind: 'api_token' | 'oidc';
  issuer: string | null;
  subject: string;
  roles: string[];
  editeur_id: string | null;
  credential_sha256: string | null;
  person_id: string | null;
  second_factor: boolean;
  id_token: string | null;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** A session's last visit is written at most this often: a page's requests do not each write. */
const TOUCH_EVERY = '1 minute';
/** Ended sessions are kept this long (who was signed in when), then deleted. */
const KEPT_AFTER_END = '90 days';

/** Console sessions, held by the server: each is looked up by the SHA-256 of the id its cookie carries. */
export class ConsoleSessions {
  constructor(readonly sql: Sql) {}

  async open(idSha256: string, subject: SessionSubject, expiresAt: Date): Promise<void> {
    await this.sql.query(
      `INSERT INTO console_sessions (session_sha256, subject_kind, issuer, subject, roles, editeur_id, credential_sha256, expires_at, person_id, second_factor, id_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        idSha256,
        subject.kind,
        subject.kind === 'oidc' ? subject.issuer : null,
        subject.subject,
        subject.roles,
        subject.editeurId ?? null,
        subject.kind === 'api_token' ? subject.credentialSha256 : null,
        expiresAt.toISOString(),
        subject.kind === 'oidc' ? subject.personId : null,
        subject.kind === 'oidc' && subject.secondFactor,
        subject.kind === 'oidc' ? subject.idToken : null,
      ],
    );
    // the table does not grow for ever: sessions long over go
    await this.sql.query(
      `DELETE FROM console_sessions WHERE coalesce(revoked_at, expires_at) < now() - interval '${KEPT_AFTER_END}'`,
    );
  }

  /** The session, while it is neither ended nor expired; its last visit noted. */
  async current(idSha256: string): Promise<ConsoleSession | undefined> {
    const [row] = await this.sql.query<Row>(
      `UPDATE console_sessions SET last_seen_at = CASE WHEN last_seen_at < now() - interval '${TOUCH_EVERY}' THEN now() ELSE last_seen_at END
       WHERE session_sha256 = $1 AND revoked_at IS NULL AND expires_at > now()
       RETURNING subject_kind, issuer, subject, roles, editeur_id, credential_sha256, person_id, second_factor, id_token, created_at, last_seen_at, expires_at`,
      [idSha256],
    );
    if (!row) return undefined;
    const common = { subject: row.subject, roles: row.roles, ...(row.editeur_id ? { editeurId: row.editeur_id } : {}) };
    return {
      subject:
        row.subject_kind === 'api_token'
          ? { kind: 'api_token', ...common, credentialSha256: row.credential_sha256! }
          : {
              kind: 'oidc',
              issuer: row.issuer!,
              ...common,
              personId: row.person_id!,
              secondFactor: row.second_factor,
              idToken: row.id_token ?? '',
            },
      createdAt: iso(row.created_at),
      lastSeenAt: iso(row.last_seen_at),
      expiresAt: iso(row.expires_at),
    };
  }

  async end(idSha256: string, reason: SessionEnd): Promise<void> {
    await this.sql.query(
      'UPDATE console_sessions SET revoked_at = now(), revoked_reason = $2 WHERE session_sha256 = $1 AND revoked_at IS NULL',
      [idSha256, reason],
    );
  }

  /** Ends every open session of a person (disabled by an admin); answers how many were open. */
  async endOfPerson(personId: string, reason: SessionEnd): Promise<number> {
    const ended = await this.sql.query(
      `UPDATE console_sessions SET revoked_at = now(), revoked_reason = $2
       WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING 1`,
      [personId, reason],
    );
    return ended.length;
  }

  /** Ends every session a credential opened (a token revoked); answers how many were open. */
  async endOfCredentials(credentialSha256s: string[], reason: SessionEnd): Promise<number> {
    const ended = await this.sql.query(
      `UPDATE console_sessions SET revoked_at = now(), revoked_reason = $2
       WHERE credential_sha256 = ANY($1) AND revoked_at IS NULL AND expires_at > now() RETURNING 1`,
      [credentialSha256s, reason],
    );
    return ended.length;
  }
}
