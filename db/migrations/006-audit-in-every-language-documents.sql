-- audit in every language, documents
-- the catalogue's message of an audit entry (domain/messages.ts): the console says it in French
ALTER TABLE bdc_audit ADD COLUMN message_key text, ADD COLUMN params jsonb;
-- documents uploaded by éditeurs (the signed VA, the invoice), stored by their SHA-256: the same
-- file uploaded twice is stored once; a VA event carries the hashes
CREATE TABLE documents (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type text NOT NULL,
  size_bytes int NOT NULL CHECK (size_bytes > 0),
  content bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
-- who uploaded which document, under which name: an éditeur refers only to its own uploads
CREATE TABLE document_uploads (
  sha256 text NOT NULL REFERENCES documents (sha256),
  editeur_id text NOT NULL,
  file_name text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sha256, editeur_id)
);
-- imports an operator started from the console (a FINESS extraction, a bulk registration): their
-- progress and outcome, read by their progress page; the refused rows kept to download
CREATE TABLE imports (
  import_id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('finess', 'bdcs')),
  file_name text NOT NULL,
  started_by text NOT NULL,
  total int,
  done int NOT NULL DEFAULT 0,
  outcome jsonb,
  refused_csv text,
  failure text,
  finished boolean NOT NULL DEFAULT false,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
