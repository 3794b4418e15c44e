-- Up Migration

-- The latest content of each submitted deliverable (a LUP stage, the measures named in a
-- budgetunderlag, the priority areas of an operational plan, the follow-up sections of a
-- tertial report), projected from the audit log's `submitted` events and rebuildable from them.
CREATE TABLE submission_content (
  workflow_id   text        PRIMARY KEY,
  municipality  text        NOT NULL,
  budget_year   integer     NOT NULL,
  phase_id      text        NOT NULL,
  board_id      text        NOT NULL,
  content       jsonb       NOT NULL,
  submitted_at  timestamptz NOT NULL,
  last_event_id bigint      NOT NULL
);
CREATE INDEX submission_content_board_idx ON submission_content (municipality, board_id, budget_year);

-- Each district's LUP process: its stage and main focus, from the LUP workflow's events.
CREATE TABLE lup_status (
  workflow_id   text        PRIMARY KEY,
  municipality  text        NOT NULL,
  budget_year   integer     NOT NULL,
  board_id      text        NOT NULL,
  stage         text        NOT NULL,
  main_focus    text,
  dialogues     integer     NOT NULL,
  measures      integer     NOT NULL,
  last_event_id bigint      NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- Citizen dialogues (medborgardialoger) as recorded in the LUP workflows.
CREATE TABLE lup_dialogues (
  workflow_id        text  NOT NULL,
  dialogue_id        text  NOT NULL,
  municipality       text  NOT NULL,
  budget_year        integer NOT NULL,
  board_id           text  NOT NULL,
  held_on            date  NOT NULL,
  question           text  NOT NULL,
  forms              jsonb NOT NULL,
  room_for_influence text  NOT NULL,
  invited_parties    jsonb NOT NULL,
  PRIMARY KEY (workflow_id, dialogue_id)
);

-- Down Migration
DROP TABLE lup_dialogues;
DROP TABLE lup_status;
DROP TABLE submission_content;
