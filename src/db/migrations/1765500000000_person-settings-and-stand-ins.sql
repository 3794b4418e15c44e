-- Up Migration

-- A person's own settings (issue 13, self-service). The language was there already; the weekly
-- digest and the boards whose mails a person does not want join it, with a version that makes
-- two changes at once to one person's settings apply one after the other: the second, based on
-- what the first replaced, is refused (409) instead of silently undoing it.
ALTER TABLE people
  ADD COLUMN weekly_digest    boolean NOT NULL DEFAULT false,
  -- Boards (of those the person holds grants at) whose mails the person asked not to get; a
  -- board granted later is mailed until the person says otherwise.
  ADD COLUMN muted_boards     text[]  NOT NULL DEFAULT '{}',
  ADD COLUMN settings_version integer NOT NULL DEFAULT 0;

-- Stand-ins (ersättare): during [valid_from, valid_to], whole days in Europe/Stockholm, the
-- stand-in holds the person's board grants and gets the person's mails. Ids only: erasing either
-- person's details leaves the rows (and the audit log that records who named whom) meaningful.
-- Overlaps are refused by the application under the person's row lock (the settings version);
-- a period ended stays as history.
CREATE TABLE stand_ins (
  id          bigserial   PRIMARY KEY,
  person_id   text        NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  stand_in_id text        NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  valid_from  date        NOT NULL,
  valid_to    date        NOT NULL,
  named_at    timestamptz NOT NULL DEFAULT now(),
  named_by    text        NOT NULL CONSTRAINT stand_ins_named_by_check CHECK (length(named_by) BETWEEN 1 AND 200),
  CONSTRAINT stand_ins_not_self CHECK (stand_in_id <> person_id),
  CONSTRAINT stand_ins_period_check CHECK (valid_to >= valid_from AND valid_to - valid_from <= 366)
);
CREATE INDEX stand_ins_person ON stand_ins (person_id, valid_to);
CREATE INDEX stand_ins_stand_in ON stand_ins (stand_in_id, valid_to);

-- Down Migration
DROP TABLE stand_ins;
ALTER TABLE people
  DROP COLUMN weekly_digest,
  DROP COLUMN muted_boards,
  DROP COLUMN settings_version;
