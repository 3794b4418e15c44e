-- Up Migration

-- The report templates of a cycle, one row per version: the versions the cycle started with
-- (stored with the cycle row) and the corrections SLK publishes during the cycle. A cycle keeps
-- these, never the files on disk, so an edit to a file cannot change what boards answer. The
-- current version of a template is its highest; a row is never changed once stored.
CREATE TABLE cycle_templates (
  municipality       text        NOT NULL,
  budget_year        integer     NOT NULL,
  template_id        text        NOT NULL,
  version            integer     NOT NULL CHECK (version >= 1),
  template           jsonb       NOT NULL,
  published_by       text        NOT NULL,
  published_at       timestamptz NOT NULL DEFAULT now(),
  -- The version this one corrects (NULL for the version the cycle started with), why, and what
  -- changed question by question (compareTemplates), for the drafts to carry answers over.
  supersedes_version integer     CHECK (supersedes_version < version),
  reason             text,
  changes            jsonb,
  PRIMARY KEY (municipality, budget_year, template_id, version),
  FOREIGN KEY (municipality, budget_year) REFERENCES cycles (municipality, budget_year),
  CHECK ((supersedes_version IS NULL) = (changes IS NULL))
);

-- Down Migration
DROP TABLE cycle_templates;
