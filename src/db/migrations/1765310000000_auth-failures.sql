-- Up Migration

-- Failed sign-ins and wrong tokens, counted per client address and time window (issue 13), in
-- PostgreSQL so the count holds across API processes: a guesser is stopped whichever process it
-- reaches. Only counts: never the secret tried.
CREATE TABLE auth_failures (
  client_key   text        NOT NULL,
  window_start timestamptz NOT NULL,
  failures     integer     NOT NULL CHECK (failures > 0),
  PRIMARY KEY (client_key, window_start)
);
CREATE INDEX auth_failures_window_idx ON auth_failures (window_start);

-- Down Migration
DROP TABLE auth_failures;
