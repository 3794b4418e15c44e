-- Up Migration

-- What a published template correction did to one report's draft (issue 12): which answers
-- carried over (and where to, when their question moved) and which were dropped from the draft
-- with their values, so nothing a board wrote is lost from the record and the form page can show
-- the board what changed until it dismisses the notice. Written in the publication's transaction.
CREATE TABLE report_template_corrections (
  workflow_id  text        NOT NULL,
  template_id  text        NOT NULL,
  from_version integer     NOT NULL,
  to_version   integer     NOT NULL,
  -- [{ from, to }]: the paths of the answers that carried over.
  carried      jsonb       NOT NULL,
  -- [{ path, questionId, reason, label, question, value, version, savedBy, savedAt }]
  dropped      jsonb       NOT NULL,
  corrected_by text        NOT NULL,
  corrected_at timestamptz NOT NULL DEFAULT now(),
  dismissed_by text,
  dismissed_at timestamptz,
  PRIMARY KEY (workflow_id, to_version, template_id)
);

-- Down Migration
DROP TABLE report_template_corrections;
