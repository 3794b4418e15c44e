-- Up Migration

-- The committee's attention to a priority area (issue 14): each act, flag (with its reason) or
-- unflag, kept in order, never edited. An area is flagged while its latest act is a flag; the
-- reasons shown are those of the flags since the last unflag (two members flagging at once both
-- count). Each act is mailed once (send_log, key committee-area-flag#<id>).
CREATE TABLE committee_area_flags (
  id           bigserial   PRIMARY KEY,
  municipality text        NOT NULL,
  area_id      text        NOT NULL,
  action       text        NOT NULL CHECK (action IN ('flag', 'unflag')),
  reason       text        CHECK (char_length(reason) BETWEEN 1 AND 2000),
  author       text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (action = 'unflag' OR reason IS NOT NULL)
);
CREATE INDEX committee_area_flags_area_idx ON committee_area_flags (municipality, area_id, id);

-- Down Migration
DROP TABLE committee_area_flags;
