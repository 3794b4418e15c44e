-- Up Migration

-- The API's write rate limit (issue 15), counted in PostgreSQL so that every API process behind
-- a load balancer adds to the same count: one row per key (route and caller) and fixed window,
-- the window aligned to its length on the database's clock so all processes agree on it.
CREATE TABLE rate_limit_counters (
  key          text        NOT NULL,
  window_start timestamptz NOT NULL,
  window_end   timestamptz NOT NULL,
  hits         integer     NOT NULL CHECK (hits > 0),
  PRIMARY KEY (key, window_start)
);
-- Ended windows are removed now and then (src/db/rate-limit-store.ts).
CREATE INDEX rate_limit_counters_window_end_idx ON rate_limit_counters (window_end);

-- Down Migration
DROP TABLE rate_limit_counters;
