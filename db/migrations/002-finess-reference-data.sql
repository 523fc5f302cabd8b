-- finess reference data
-- one row per imported extraction; establishments are versioned by it
CREATE TABLE finess_extractions (
  id serial PRIMARY KEY,
  extraction_date date NOT NULL UNIQUE,
  source text NOT NULL,
  encoding text NOT NULL,
  rows_read int NOT NULL DEFAULT 0,
  rows_kept int NOT NULL DEFAULT 0,
  rows_rejected int NOT NULL DEFAULT 0,
  -- an extraction is used only once its import has finished
  complete boolean NOT NULL DEFAULT false,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE finess_establishments (
  extraction_id int NOT NULL REFERENCES finess_extractions (id) ON DELETE CASCADE,
  nofinesset text NOT NULL,
  nofinessej text NOT NULL,
  rs text NOT NULL,
  departement text NOT NULL,
  categetab text NOT NULL,
  libcategetab text NOT NULL,
  categagretab text NOT NULL,
  libcategagretab text NOT NULL,
  PRIMARY KEY (extraction_id, nofinesset)
);
CREATE INDEX finess_establishments_og ON finess_establishments (extraction_id, nofinessej);
-- ESSMS financed by ESMS numérique for the acquisition of a référencé DUI: not financed again
CREATE TABLE essms_exclusions (
  essms_finess text PRIMARY KEY,
  reason text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
-- the extraction each BDC was checked against
ALTER TABLE bdcs ADD COLUMN finess_extraction_id int REFERENCES finess_extractions (id);
