-- people and their roles
-- Persons, not tokens (issue 23): a person is known by its provider's issuer and subject, with the
-- ProConnect-shaped claims it last signed in with; its roles are grants, each with who granted it and
-- when, revoked rather than deleted. A console session names its person and whether it signed in with
-- a second factor; an audit line names the person who acted (actor_name beside actor_id).
CREATE TABLE people (
  person_id text PRIMARY KEY,
  issuer text NOT NULL,
  subject text NOT NULL,
  given_name text,
  usual_name text,
  email text,
  siret text,
  uid text,
  idp_id text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz,
  disabled_at timestamptz,
  disabled_by text,
  disabled_reason text,
  UNIQUE (issuer, subject)
);
CREATE INDEX people_by_siret ON people (siret);

CREATE TABLE role_grants (
  grant_id bigserial PRIMARY KEY,
  person_id text NOT NULL REFERENCES people (person_id),
  role text NOT NULL CHECK (role IN ('operator', 'ordonnateur', 'comptable', 'controleur', 'admin', 'editeur')),
  editeur_id text,
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  revoked_by text,
  revoked_at timestamptz,
  revoke_reason text,
  CHECK ((role = 'editeur') = (editeur_id IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
-- a role is held once at a time
CREATE UNIQUE INDEX role_grants_live ON role_grants (person_id, role) WHERE revoked_at IS NULL;

ALTER TABLE console_sessions ADD COLUMN person_id text REFERENCES people (person_id);
ALTER TABLE console_sessions ADD COLUMN second_factor boolean NOT NULL DEFAULT false;
-- the ID token, as the provider's end of session asks it back (RP-initiated logout)
ALTER TABLE console_sessions ADD COLUMN id_token text;

ALTER TABLE bdc_audit ADD COLUMN actor_name text;
ALTER TABLE control_audit ADD COLUMN actor_name text;
