-- Up Migration

-- The cycles started, with the calendar each was started from: the pages, the feeds and the
-- weekly digest read phase names and milestones from here.
CREATE TABLE cycles (
  municipality text        NOT NULL,
  budget_year  integer     NOT NULL,
  workflow_id  text        NOT NULL UNIQUE,
  calendar     jsonb       NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  started_by   text        NOT NULL,
  PRIMARY KEY (municipality, budget_year)
);

-- What each recipient asked for: the language of their mails, and one weekly digest on Monday
-- morning instead of single reminders. Addresses are stored in lower case.
CREATE TABLE recipient_preferences (
  address       text        PRIMARY KEY CHECK (address = lower(address)),
  language      text        NOT NULL DEFAULT 'sv' CHECK (language IN ('sv', 'en')),
  weekly_digest boolean     NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE recipient_preferences;
DROP TABLE cycles;
