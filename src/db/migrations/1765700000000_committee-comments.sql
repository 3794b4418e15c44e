-- Up Migration

-- The committee's comments (issue 14) on a board's report (a deliverable, the whole report or one
-- question) or on a district's LUP of a budget year. Kept, never edited: the record of what the
-- committee said. The board and SLK read them on their pages; each is mailed once (send_log,
-- key committee-comment#<id>).
CREATE TABLE committee_comments (
  id           bigserial   PRIMARY KEY,
  municipality text        NOT NULL,
  budget_year  integer     NOT NULL,
  board_id     text        NOT NULL,
  subject      text        NOT NULL CHECK (subject IN ('report', 'lup')),
  -- The report's phase; absent for a LUP.
  phase_id     text,
  -- The deliverable's workflow ID, or the LUP's: where the audit log records the comment.
  workflow_id  text        NOT NULL,
  -- A question (answer path) or a section of the report; absent for the whole report or a LUP.
  path         text,
  comment      text        NOT NULL CHECK (char_length(comment) BETWEEN 1 AND 4000),
  author       text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((subject = 'report') = (phase_id IS NOT NULL)),
  CHECK (subject = 'report' OR path IS NULL)
);
CREATE INDEX committee_comments_board_idx ON committee_comments (municipality, board_id, budget_year, id);

-- Down Migration
DROP TABLE committee_comments;
