-- campaigns added at run time and precise deadlines
-- campaigns an operator adds through the API (the demo's among them), beside the configured ones
CREATE TABLE campaigns (
  campaign_id text PRIMARY KEY,
  definition jsonb NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now()
);
-- an amendment may set the closing to an instant rather than the end of a day
ALTER TABLE campaign_amendments ADD COLUMN closing_at timestamptz;
ALTER TABLE campaign_amendments DROP CONSTRAINT campaign_amendments_check;
ALTER TABLE campaign_amendments ADD CHECK (order_deadline IS NOT NULL OR closing_date IS NOT NULL OR closing_at IS NOT NULL);
