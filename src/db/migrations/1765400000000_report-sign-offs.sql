-- Up Migration

-- Reports marked ready (klarmarkerade) in a phase that asks for the förvaltningschef's or VD's
-- sign-off (påskrift) before they reach SLK: one row per report while it awaits the sign-off.
-- The sign-off hands the answers in and deletes the row in the same transaction (so two
-- sign-offs at once hand it in once); a decline or a withdrawn ready mark deletes it too. What
-- happened is kept in the audit log, not here. While a row exists the answers cannot be saved.
CREATE TABLE report_sign_offs (
  workflow_id      text        PRIMARY KEY,
  marked_ready_by  text        NOT NULL,
  marked_ready_at  timestamptz NOT NULL DEFAULT now(),
  document_ref     text        CHECK (char_length(document_ref) BETWEEN 1 AND 200),
  decision_date    date,
  comment          text        CHECK (char_length(comment) BETWEEN 1 AND 4000),
  -- SHA-256 of the answers as marked ready (canonical JSON): the sign-off hands in exactly these.
  answers_digest   text        NOT NULL
);

-- Down Migration
DROP TABLE report_sign_offs;
