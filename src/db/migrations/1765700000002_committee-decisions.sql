-- Up Migration

-- The committee's own decisions (issue 14): the date, the reference (diarienummer) and what was
-- decided, recorded against what they concern: a board's report (budget year, phase, board), a
-- district's LUP (budget year, board) or a priority area. Kept, never edited.
CREATE TABLE committee_decisions (
  id           bigserial   PRIMARY KEY,
  municipality text        NOT NULL,
  concerns     text        NOT NULL CHECK (concerns IN ('report', 'lup', 'area')),
  budget_year  integer,
  phase_id     text,
  board_id     text,
  area_id      text,
  decided_on   date        NOT NULL,
  reference    text        NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 100),
  decision     text        NOT NULL CHECK (char_length(decision) BETWEEN 1 AND 4000),
  author       text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (
    (concerns = 'report' AND budget_year IS NOT NULL AND phase_id IS NOT NULL AND board_id IS NOT NULL AND area_id IS NULL)
    OR (concerns = 'lup' AND budget_year IS NOT NULL AND phase_id IS NULL AND board_id IS NOT NULL AND area_id IS NULL)
    OR (concerns = 'area' AND budget_year IS NULL AND phase_id IS NULL AND board_id IS NULL AND area_id IS NOT NULL)
  )
);
CREATE INDEX committee_decisions_board_idx ON committee_decisions (municipality, board_id, id);

-- Down Migration
DROP TABLE committee_decisions;
