-- Up Migration

-- Files a board attaches to a report: stored durably in PostgreSQL behind a storage port (an
-- object store can replace it), with the type told from the content, a SHA-256 of the bytes,
-- who uploaded it and when. Kept apart from the bytes' table so a listing never reads a file.
CREATE TABLE attachments (
  id           bigserial   PRIMARY KEY,
  workflow_id  text        NOT NULL,
  file_name    text        NOT NULL,
  file_type    text        NOT NULL,
  content_type text        NOT NULL,
  size_bytes   bigint      NOT NULL CHECK (size_bytes > 0),
  sha256       text        NOT NULL,
  uploaded_by  text        NOT NULL,
  uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_workflow_idx ON attachments (workflow_id, uploaded_at);

CREATE TABLE attachment_bytes (
  attachment_id bigint PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
  bytes         bytea  NOT NULL
);

-- Down Migration
DROP TABLE attachment_bytes;
DROP TABLE attachments;
