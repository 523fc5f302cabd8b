-- the statuses of the first release
-- 'received' and 'balance_issued' were statuses of a lifecycle no deployment ever ran: no row holds them.
ALTER TABLE bdcs DROP CONSTRAINT bdcs_status_known;
ALTER TABLE bdcs ADD CONSTRAINT bdcs_status_known CHECK (status IS NULL OR status IN (
  'awaiting_referencement', 'advance_issued', 'awaiting_va', 'completed', 'lapsed', 'cancelled', 'rejected',
  'reimbursement_due', 'reimbursed', 'needs_attention', 'written_off'));
