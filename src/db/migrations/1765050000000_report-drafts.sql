-- Up Migration

-- A board's draft answers to a report template, one row per answer (question path), so that two
-- people may work on different answers of one report at once. `version` counts the saves of one
-- answer: a save names the version its author last saw and is refused when another came between.
CREATE TABLE report_answers (
  workflow_id text        NOT NULL,
  path        text        NOT NULL,
  value       jsonb       NOT NULL,
  version     integer     NOT NULL CHECK (version >= 1),
  saved_by    text        NOT NULL,
  saved_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, path)
);

-- Down Migration
DROP TABLE report_answers;
