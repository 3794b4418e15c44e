-- Up Migration

-- Read model: the current status of every deliverable (cycle × phase × board), projected from the
-- audit log's state snapshots in the same transaction that appends them, and rebuildable from it.
CREATE TABLE deliverable_status (
  workflow_id        text        PRIMARY KEY,
  municipality       text        NOT NULL,
  budget_year        integer     NOT NULL,
  phase_id           text        NOT NULL,
  board_id           text        NOT NULL,
  -- The board that answers for it now (the successor after a merger).
  answering_board_id text        NOT NULL,
  stage              text        NOT NULL CHECK (stage IN ('planned', 'open', 'submitted', 'returned', 'approved', 'exempt')),
  late               boolean     NOT NULL,
  escalation_level   integer     NOT NULL,
  deadline           date        NOT NULL,
  deadline_at        timestamptz NOT NULL,
  last_event_id      bigint      NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX deliverable_status_cycle_idx ON deliverable_status (municipality, budget_year, phase_id, board_id);

-- Down Migration
DROP TABLE deliverable_status;
