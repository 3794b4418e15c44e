-- Up Migration

-- One local development programme per district across budget years (lupWorkflow, id
-- `lup/<municipality>/<board>`), replacing the per-year LUP status. Everything here is projected
-- from the programme workflows' events in the audit log and rebuildable from them
-- (rebuildContentProjections). The sequence number is carried across continue-as-new, so the
-- newest snapshot wins on it alone.
DROP TABLE lup_dialogues;
DROP TABLE lup_status;

CREATE TABLE lup_programmes (
  workflow_id       text        PRIMARY KEY,
  municipality      text        NOT NULL,
  board_id          text        NOT NULL,
  stage             text        NOT NULL,
  handed_over_to    text,
  programme_number  integer,
  adopted_on        date,
  reference         text,
  adopted_in_year   integer,
  version           integer,
  replaced          jsonb       NOT NULL,
  main_focus        jsonb       NOT NULL,
  dialogues         integer     NOT NULL,
  consultations     integer     NOT NULL,
  follow_ups        jsonb       NOT NULL,
  last_event_id     bigint      NOT NULL,
  last_seq          bigint      NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX lup_programmes_board_idx ON lup_programmes (municipality, board_id);

-- Each version of each programme: version 1 adopted by the board, then each revision and why.
CREATE TABLE lup_programme_versions (
  workflow_id      text    NOT NULL,
  programme_number integer NOT NULL,
  version          integer NOT NULL,
  board_id         text    NOT NULL,
  on_date          date    NOT NULL,
  recorded_by      text    NOT NULL,
  reference        text,
  reason           text    NOT NULL,
  added            jsonb   NOT NULL,
  changed          jsonb   NOT NULL,
  ended            jsonb   NOT NULL,
  PRIMARY KEY (workflow_id, programme_number, version)
);

-- The measures of the programme in force, as its latest version has them, with their status over time.
CREATE TABLE lup_measures (
  workflow_id      text    NOT NULL,
  programme_number integer NOT NULL,
  measure_id       text    NOT NULL,
  -- The measure's place in the programme (the reports ask for them in this order).
  position         integer NOT NULL,
  board_id         text    NOT NULL,
  title            text    NOT NULL,
  owner_id         text    NOT NULL,
  goal             text,
  indicators       jsonb   NOT NULL,
  cost             bigint,
  larger           boolean NOT NULL,
  priority_area    text,
  status           text    NOT NULL,
  status_history   jsonb   NOT NULL,
  PRIMARY KEY (workflow_id, programme_number, measure_id)
);
CREATE INDEX lup_measures_owner_idx ON lup_measures (owner_id);

-- Citizen dialogues: readable by every district (the guidelines ask them to learn from each other).
CREATE TABLE lup_dialogues (
  workflow_id        text    NOT NULL,
  dialogue_id        text    NOT NULL,
  municipality       text    NOT NULL,
  board_id           text    NOT NULL,
  held_on            date    NOT NULL,
  need               text    NOT NULL,
  question           text    NOT NULL,
  forms              jsonb   NOT NULL,
  room_for_influence text    NOT NULL,
  participants       jsonb   NOT NULL,
  outcome            text,
  feedback           text,
  recorded_by        text    NOT NULL,
  PRIMARY KEY (workflow_id, dialogue_id)
);
CREATE INDEX lup_dialogues_board_idx ON lup_dialogues (municipality, board_id, held_on);

-- Consultations with the service boards and companies concerned: who, when, what they said.
CREATE TABLE lup_consultations (
  workflow_id     text NOT NULL,
  consultation_id text NOT NULL,
  municipality    text NOT NULL,
  board_id        text NOT NULL,
  with_board_id   text NOT NULL,
  held_on         date NOT NULL,
  said            text NOT NULL,
  recorded_by     text NOT NULL,
  PRIMARY KEY (workflow_id, consultation_id)
);

-- Down Migration
DROP TABLE lup_consultations;
DROP TABLE lup_dialogues;
DROP TABLE lup_measures;
DROP TABLE lup_programme_versions;
DROP TABLE lup_programmes;
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
  updated_at    timestamptz NOT NULL,
  run_id        text,
  last_seq      bigint      NOT NULL DEFAULT 0
);
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
