-- Up Migration

-- Every event carries the sequence number its workflow assigned (per run, carried across
-- continue-as-new), so the record and the projections follow the workflow's order, not the order
-- in which activities happened to commit. Events recorded outside a workflow have none.
ALTER TABLE audit_log ADD COLUMN seq bigint;
CREATE INDEX audit_log_workflow_seq_idx ON audit_log (workflow_id, seq);

-- Projections keep the run and sequence number of the event they show: an older snapshot of the
-- same run never replaces a newer one.
ALTER TABLE deliverable_status ADD COLUMN run_id text, ADD COLUMN last_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE submission_content ADD COLUMN run_id text, ADD COLUMN last_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE lup_status ADD COLUMN run_id text, ADD COLUMN last_seq bigint NOT NULL DEFAULT 0;

-- Sends take a lease instead of holding a row lock across the SMTP exchange: `sending` until
-- `lease_until`, then sent, failed, pending again (a transient failure) or expired (it could not
-- go out before the instant it was about).
ALTER TABLE send_log DROP CONSTRAINT send_log_status_check;
ALTER TABLE send_log ADD CONSTRAINT send_log_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'expired'));
ALTER TABLE send_log ADD COLUMN lease_until timestamptz, ADD COLUMN expires_at timestamptz;
CREATE INDEX send_log_status_idx ON send_log (status) WHERE status IN ('sending', 'expired', 'failed');

-- Down Migration
DROP INDEX send_log_status_idx;
ALTER TABLE send_log DROP COLUMN expires_at, DROP COLUMN lease_until;
ALTER TABLE send_log DROP CONSTRAINT send_log_status_check;
ALTER TABLE send_log ADD CONSTRAINT send_log_status_check CHECK (status IN ('pending', 'sent', 'failed'));
ALTER TABLE lup_status DROP COLUMN last_seq, DROP COLUMN run_id;
ALTER TABLE submission_content DROP COLUMN last_seq, DROP COLUMN run_id;
ALTER TABLE deliverable_status DROP COLUMN last_seq, DROP COLUMN run_id;
DROP INDEX audit_log_workflow_seq_idx;
ALTER TABLE audit_log DROP COLUMN seq;
