-- Up Migration

-- Bearer tokens for the HTTP API. Only the SHA-256 hash of a token's secret is stored: the secret
-- is shown once, when the token is created. The short public id names a token for listing and
-- revoking. Roles: admin (SLK), committee (reads everything), board:<organisation id> (its own).
CREATE TABLE api_tokens (
  id            text        PRIMARY KEY CONSTRAINT api_tokens_id_check CHECK (id ~ '^tok_[a-z0-9]{12}$'),
  token_hash    bytea       NOT NULL UNIQUE CONSTRAINT api_tokens_hash_check CHECK (octet_length(token_hash) = 32),
  role          text        NOT NULL
                CONSTRAINT api_tokens_role_check CHECK (role ~ '^(admin|committee|board:[a-z0-9]+(-[a-z0-9]+)*)$'),
  label         text        NOT NULL CONSTRAINT api_tokens_label_check CHECK (length(label) BETWEEN 1 AND 200),
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  -- Updated at most once a minute, not on every request.
  last_used_at  timestamptz
);

-- Down Migration
DROP TABLE api_tokens;
