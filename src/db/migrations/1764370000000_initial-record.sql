-- Up Migration

-- Append-only audit log: every transition of every workflow, with who did it and when.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  occurred_at   timestamptz NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  workflow_id   text        NOT NULL,
  run_id        text,
  kind          text        NOT NULL,
  actor         text        NOT NULL,
  -- Idempotency: an activity retried after a crash records the same event once.
  event_key     text        NOT NULL UNIQUE,
  payload       jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_workflow_idx ON audit_log (workflow_id, occurred_at);

-- The log is append-only: updates and deletes are refused by the database itself.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- Send log: one row per planned notification. The primary key is the idempotency key derived
-- from the workflow ID and the planned action, so a notification is sent at most once.
CREATE TABLE send_log (
  idempotency_key text        PRIMARY KEY,
  workflow_id     text        NOT NULL,
  kind            text        NOT NULL,
  planned_at      timestamptz NOT NULL,
  recipients      text[]      NOT NULL,
  subject         text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  message_id      text,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX send_log_workflow_idx ON send_log (workflow_id);

-- Down Migration
DROP TABLE send_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_refuse_change();
DROP TABLE audit_log;
