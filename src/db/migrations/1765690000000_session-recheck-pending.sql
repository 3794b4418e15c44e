-- Up Migration

-- Since when a session's groups have been due a re-check at the provider that has not succeeded
-- (set by the first request that claims the check, cleared when one succeeds). A provider that
-- does not answer for longer than OIDC_RECHECK_GRACE_MINUTES ends the session
-- (`provider-unreachable`), so nobody goes on for hours on groups the provider may have changed.
ALTER TABLE sessions ADD COLUMN claims_check_pending_since timestamptz;

-- Down Migration
ALTER TABLE sessions DROP COLUMN claims_check_pending_since;
