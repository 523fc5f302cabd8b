-- BDC lists searched by reference and ordered naturally
-- Issue 22 (item 7): operators search BDCs by a part of their reference and read them in the order
-- people count (DEMO-1, DEMO-2, DEMO-10), by reference, deadline or ceiling, a page at a time.
-- A contains-match cannot use a btree: pg_trgm's GIN index answers `reference ILIKE '%…%'` without
-- reading every BDC (pg_trgm is a trusted extension: the database's owner may create it; PGlite
-- loads it, db/pglite.ts). PGlite has no ICU, so no numeric collation: the natural order is a key,
-- each run of digits written as its length then its digits (leading zeros dropped) — numbers
-- compare by value, text by its lower case, byte by byte (COLLATE "C": the same on every server).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION natural_sort_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(string_agg(
           CASE WHEN part[1] ~ '^[0-9]' THEN lpad(length(ltrim(part[1], '0'))::text, 3, '0') || ltrim(part[1], '0')
                ELSE lower(part[1]) END, '' ORDER BY n), '')
  FROM regexp_matches(coalesce(t, ''), '([0-9]+|[^0-9]+)', 'g') WITH ORDINALITY AS parts(part, n)
$$;

ALTER TABLE bdcs ADD COLUMN reference_key text COLLATE "C" GENERATED ALWAYS AS (natural_sort_key(reference)) STORED;

-- each order of the list, keyset-paged by (key, bdc_id): a page reads its rows from the index, at any size
CREATE INDEX bdcs_by_reference_key ON bdcs (reference_key, bdc_id);
CREATE INDEX bdcs_by_deadline_then_id ON bdcs ((COALESCE(next_deadline_at, 'infinity'::timestamptz)), bdc_id);
CREATE INDEX bdcs_by_ceiling ON bdcs (ceiling_cents, bdc_id);
CREATE INDEX bdcs_reference_trigrams ON bdcs USING gin (reference gin_trgm_ops);
