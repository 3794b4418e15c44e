-- Up Migration

-- Calendar feeds (iCalendar subscriptions): one per board or for the committee, at a secret URL.
-- Calendar clients cannot send a bearer token, so the URL is the credential: only the SHA-256
-- hash of its secret is stored, and the secret is shown once, when the feed is created. The short
-- public id names a feed for listing and revoking. Scopes: committee, board:<organisation id>.
CREATE TABLE calendar_feeds (
  id            text        PRIMARY KEY CONSTRAINT calendar_feeds_id_check CHECK (id ~ '^feed_[0-9a-f]{12}$'),
  secret_hash   bytea       NOT NULL UNIQUE
                CONSTRAINT calendar_feeds_hash_check CHECK (octet_length(secret_hash) = 32),
  scope         text        NOT NULL
                CONSTRAINT calendar_feeds_scope_check CHECK (scope ~ '^(committee|board:[a-z0-9]+(-[a-z0-9]+)*)$'),
  municipality  text        NOT NULL
                CONSTRAINT calendar_feeds_municipality_check CHECK (municipality ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  label         text        CONSTRAINT calendar_feeds_label_check CHECK (label IS NULL OR length(label) BETWEEN 1 AND 200),
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);

-- Down Migration
DROP TABLE calendar_feeds;
