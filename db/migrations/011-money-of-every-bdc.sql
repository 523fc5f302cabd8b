-- the money of every BDC, from the ledger
-- One source for every euro the engine shows: the dashboard, a BDC's page, the summary (API and
-- CSV) and the reconciliation all read these sums of the ledger's own rows, never a figure of their own.
CREATE VIEW bdc_money AS
SELECT b.bdc_id, b.campaign_id, b.status, b.editeur_id, b.ceiling_cents,
       COALESCE(o.advance, 0)::int8 AS advance_cents,
       COALESCE(o.paid, 0)::int8 AS paid_cents,
       COALESCE(d.reimbursement, 0)::int8 AS reimbursement_demanded_cents,
       COALESCE(d.recovery, 0)::int8 AS recovery_demanded_cents,
       COALESCE(r.received, 0)::int8 AS received_cents,
       COALESCE(w.written_off, 0)::int8 AS written_off_cents,
       (COALESCE(d.reimbursement, 0) + COALESCE(d.recovery, 0) - COALESCE(r.received, 0) - COALESCE(w.written_off, 0))::int8 AS outstanding_cents
FROM bdcs b
LEFT JOIN (SELECT bdc_id, sum(amount_cents) FILTER (WHERE kind = 'advance') AS advance, sum(amount_cents) AS paid
           FROM payment_orders GROUP BY bdc_id) o USING (bdc_id)
LEFT JOIN (SELECT bdc_id, sum(amount_cents) FILTER (WHERE kind = 'reimbursement') AS reimbursement,
                  sum(amount_cents) FILTER (WHERE kind = 'recovery') AS recovery
           FROM reimbursement_demands GROUP BY bdc_id) d USING (bdc_id)
LEFT JOIN (SELECT bdc_id, sum(amount_cents) AS received FROM reimbursement_receipts GROUP BY bdc_id) r USING (bdc_id)
LEFT JOIN (SELECT bdc_id, sum(amount_cents) AS written_off FROM demand_write_offs GROUP BY bdc_id) w USING (bdc_id)
WHERE b.state IS NOT NULL;
