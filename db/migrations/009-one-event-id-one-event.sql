-- one event id, one event
-- A caller's event id names one event across every BDC and control (DOMAIN.md): the first use of an
-- id is kept here; the same id sent again to the same subject for the same kind of event is that
-- event again (its subject answers as the first time), anything else is refused.
CREATE TABLE event_ids (
  event_id text PRIMARY KEY,
  subject text NOT NULL,
  kind text NOT NULL,
  first_sent_at timestamptz NOT NULL DEFAULT now()
);
