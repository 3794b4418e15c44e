-- Up Migration

-- Personal data (issue 13): a person nothing needs any more is pseudonymised, not deleted. Name and
-- e-mail are cleared and `erased_at` says when; the id (`p_…`) stays, so the append-only audit log,
-- drafts and comments that name `person:p_…` keep pointing at one (now nameless) person.
ALTER TABLE people
  ADD COLUMN erased_at timestamptz,
  ADD CONSTRAINT people_erased_check CHECK (erased_at IS NULL OR (name IS NULL AND email IS NULL));

-- Sessions are removed by age once ended or expired (the prune).
CREATE INDEX sessions_ended_idx ON sessions (coalesce(ended_at, expires_at));

-- Down Migration
DROP INDEX sessions_ended_idx;
ALTER TABLE people
  DROP CONSTRAINT people_erased_check,
  DROP COLUMN erased_at;
