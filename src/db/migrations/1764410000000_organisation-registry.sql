-- Up Migration

-- The organisation registry, effective-dated: notifications resolve their recipients from it at
-- send time, so a contact changed after a phase opened takes effect for the later mails.
CREATE TABLE organisations (
  municipality text    NOT NULL,
  id           text    NOT NULL,
  name         text    NOT NULL,
  kind         text    NOT NULL,
  valid_from   date    NOT NULL,
  valid_to     date,
  successor_id text,
  parent_id    text,
  contacts     jsonb   NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (municipality, id)
);

CREATE TABLE priority_areas (
  municipality text  NOT NULL,
  id           text  NOT NULL,
  name         text  NOT NULL,
  valid_from   date  NOT NULL,
  valid_to     date,
  served_by    jsonb NOT NULL,
  PRIMARY KEY (municipality, id)
);

-- Down Migration
DROP TABLE priority_areas;
DROP TABLE organisations;
