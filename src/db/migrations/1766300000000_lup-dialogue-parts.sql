-- Up Migration

-- A service board's or company's part in a district's citizen dialogue (issue 14): what it
-- contributed, by whom, when, in the order the programme workflow recorded them
-- (`lup-dialogue-part-recorded`). `dialogue_board_id` is the district that held the dialogue, as
-- lup_dialogues.board_id has it (after a merger the successor's workflow records parts in its
-- predecessor's dialogues). Projected from the audit log and rebuildable from it.
CREATE TABLE lup_dialogue_parts (
  workflow_id       text        NOT NULL,
  dialogue_id       text        NOT NULL,
  position          integer     NOT NULL,
  municipality      text        NOT NULL,
  dialogue_board_id text        NOT NULL,
  part_board_id     text        NOT NULL,
  contribution      text        NOT NULL,
  recorded_by       text        NOT NULL,
  recorded_at       timestamptz NOT NULL,
  PRIMARY KEY (workflow_id, dialogue_id, position)
);
CREATE INDEX lup_dialogue_parts_dialogue_idx ON lup_dialogue_parts (municipality, dialogue_board_id, dialogue_id);

-- Down Migration
DROP TABLE lup_dialogue_parts;
