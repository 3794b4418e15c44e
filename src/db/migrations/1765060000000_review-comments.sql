-- Up Migration

-- SLK's comments on a handed-in report, per question (an answer path) or per section. Each is
-- made on one submission (the `seq` of its `submitted` event), so the board sees the comments of
-- the version SLK returned, and a later version starts with none of its own. Kept, never edited:
-- the record of what SLK asked for.
CREATE TABLE review_comments (
  id             bigserial   PRIMARY KEY,
  workflow_id    text        NOT NULL,
  submission_seq bigint      NOT NULL,
  path           text        NOT NULL,
  comment        text        NOT NULL CHECK (char_length(comment) BETWEEN 1 AND 4000),
  author         text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_comments_workflow_idx ON review_comments (workflow_id, submission_seq, id);

-- Down Migration
DROP TABLE review_comments;
