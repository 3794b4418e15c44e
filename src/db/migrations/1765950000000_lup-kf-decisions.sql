-- Up Migration

-- The KF budget decision on each larger LUP measure (issue 14, the trace): SLK records, per
-- budget year, district and measure, whether the council's budget funds it, with the decision's
-- reference. One row per measure and year: a new recording replaces the last (the audit log keeps
-- every one, in order).
CREATE TABLE lup_kf_decisions (
  municipality text        NOT NULL,
  budget_year  integer     NOT NULL,
  board_id     text        NOT NULL,
  measure_id   text        NOT NULL,
  outcome      text        NOT NULL CHECK (outcome IN ('finansierad', 'delvis-finansierad', 'ej-finansierad')),
  reference    text        NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 100),
  -- Kronor granted, when SLK states it.
  amount       bigint      CHECK (amount >= 0),
  recorded_by  text        NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (municipality, budget_year, board_id, measure_id)
);

-- Down Migration
DROP TABLE lup_kf_decisions;
