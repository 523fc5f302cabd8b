-- console sessions held by the server, API tokens revoked without a restart
-- A console session: its cookie carries only its id, whose SHA-256 keys it here (the table alone
-- opens no session). It names a subject and its roles: today a person signed in with an API token
-- (the token's name, its hash as the credential whose revocation ends the session); tomorrow a person
-- of an OpenID Connect provider (its issuer and subject, no credential). Signing out, revoking the
-- token or a session ends it at once, in every API process.
CREATE TABLE console_sessions (
  session_sha256 text PRIMARY KEY,
  subject_kind text NOT NULL CHECK (subject_kind IN ('api_token', 'oidc')),
  issuer text,
  subject text NOT NULL,
  roles text[] NOT NULL CHECK (cardinality(roles) > 0),
  editeur_id text,
  credential_sha256 text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  CHECK ((subject_kind = 'api_token') = (credential_sha256 IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX console_sessions_credential ON console_sessions (credential_sha256) WHERE revoked_at IS NULL;
CREATE INDEX console_sessions_subject ON console_sessions (subject_kind, issuer, subject) WHERE revoked_at IS NULL;
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- API tokens revoked: every API process checks a token here at each request, so a revocation takes
-- effect at once everywhere; the token's entry may stay in the tokens file until it is tidied.
CREATE TABLE api_token_revocations (
  token_sha256 text PRIMARY KEY,
  name text NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  revoked_by text NOT NULL,
  reason text NOT NULL
);
