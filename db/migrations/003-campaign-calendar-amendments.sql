-- campaign calendar amendments
-- amendments of a configured campaign's calendar, applied in order over its shipped dates
CREATE TABLE campaign_amendments (
  id serial PRIMARY KEY,
  campaign_id text NOT NULL,
  event_id text NOT NULL UNIQUE,
  order_deadline date,
  closing_date date,
  reason text NOT NULL,
  actor text NOT NULL,
  amended_at timestamptz NOT NULL DEFAULT now(),
  CHECK (order_deadline IS NOT NULL OR closing_date IS NOT NULL)
);
