-- Up Migration

-- A sign-in under way (issue 13): the browser went to the OpenID provider with `state`, and comes
-- back with it. Kept here, not in a cookie or one process's memory, so the callback may land on
-- any API process; taken (deleted) once, so a state is never used twice.
CREATE TABLE sign_in_attempts (
  state_hash    bytea       PRIMARY KEY,
  code_verifier text        NOT NULL,
  nonce         text        NOT NULL,
  return_to     text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_created_idx ON sign_in_attempts (created_at);

-- A person's session in the web pages. The cookie holds a 256-bit secret; only its SHA-256 hash is
-- stored. The provider's tokens are kept while the session lives (the refresh token to re-check
-- the person's groups, the ID token as the hint for signing out at the provider) and cleared when
-- it ends; a refresh token is useless without the client's secret, which is not in the database.
CREATE TABLE sessions (
  id_hash                   bytea       PRIMARY KEY,
  person_id                 text        NOT NULL,
  issuer                    text        NOT NULL,
  -- The person's subject at the issuer: a re-check must name the same person.
  subject                   text        NOT NULL,
  id_token                  text,
  refresh_token             text,
  created_at                timestamptz NOT NULL DEFAULT now(),
  last_seen_at              timestamptz NOT NULL DEFAULT now(),
  expires_at                timestamptz NOT NULL,
  claims_checked_at         timestamptz NOT NULL DEFAULT now(),
  -- One request at a time re-checks the groups at the provider (a rotated refresh token works
  -- once): the one that set this until it finishes or the time passes.
  claims_check_claimed_until timestamptz,
  ended_at                  timestamptz,
  end_reason                text,
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX sessions_person_idx ON sessions (person_id) WHERE ended_at IS NULL;

-- Down Migration
DROP TABLE sessions;
DROP TABLE sign_in_attempts;
