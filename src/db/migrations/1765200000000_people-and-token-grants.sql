-- Up Migration

-- People who sign in (issue 13). The provider's (issuer, subject) pair identifies a person; the
-- id is ours, stable and pseudonymous, and is what the audit log names: erasing a person's
-- details (name, email) later leaves the append-only record intact.
CREATE TABLE people (
  id              text        PRIMARY KEY CONSTRAINT people_id_check CHECK (id ~ '^p_[a-z0-9]{12}$'),
  issuer          text        NOT NULL CONSTRAINT people_issuer_check CHECK (length(issuer) BETWEEN 1 AND 500),
  subject         text        NOT NULL CONSTRAINT people_subject_check CHECK (length(subject) BETWEEN 1 AND 255),
  name            text        CONSTRAINT people_name_check CHECK (length(name) <= 200),
  email           text        CONSTRAINT people_email_check CHECK (length(email) <= 320),
  language        text        NOT NULL DEFAULT 'sv' CONSTRAINT people_language_check CHECK (language IN ('sv', 'en')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz,
  CONSTRAINT people_subject_unique UNIQUE (issuer, subject)
);

-- What a person holds, and when. `provider` rows follow the provider's groups at each sign-in
-- (ended, not deleted, when a group is gone, so who held what stays known); `manual` rows are
-- SLK's (stand-ins, exceptions) and sign-in leaves them alone.
CREATE TABLE memberships (
  id          bigserial   PRIMARY KEY,
  person_id   text        NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  grant_kind  text        NOT NULL
              CONSTRAINT memberships_kind_check CHECK (grant_kind IN ('admin', 'committee', 'stadshus', 'board')),
  board_id    text        CONSTRAINT memberships_board_check CHECK (board_id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  duty        text        CONSTRAINT memberships_duty_check CHECK (duty IN ('handlaggare', 'controller', 'forvaltningschef')),
  source      text        NOT NULL CONSTRAINT memberships_source_check CHECK (source IN ('provider', 'manual')),
  valid_from  timestamptz NOT NULL DEFAULT now(),
  valid_to    timestamptz,
  -- A board grant names its board and duty; the others neither.
  CONSTRAINT memberships_board_duty_check CHECK ((grant_kind = 'board') = (board_id IS NOT NULL AND duty IS NOT NULL)
                                                 AND (grant_kind = 'board' OR (board_id IS NULL AND duty IS NULL))),
  CONSTRAINT memberships_period_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
-- One open row per grant and source: two sign-ins at once cannot both add the same grant.
CREATE UNIQUE INDEX memberships_open_unique
  ON memberships (person_id, grant_kind, coalesce(board_id, ''), coalesce(duty, ''), source)
  WHERE valid_to IS NULL;
CREATE INDEX memberships_board ON memberships (board_id) WHERE board_id IS NOT NULL;

-- Machine tokens (issue 13): each has an owner (a person id or free text) who answers for it,
-- grants (as words: admin, committee, stadshus, board:<id>:<duty>) and scopes. The old roles
-- become what they allowed: admin → admin with every scope; committee → committee, read;
-- board:<id> → a controller of that board, read and submit.
ALTER TABLE api_tokens
  ADD COLUMN owner  text,
  ADD COLUMN grants text[],
  ADD COLUMN scopes text[];
UPDATE api_tokens SET
  owner  = created_by,
  grants = CASE WHEN role LIKE 'board:%' THEN ARRAY[role || ':controller'] ELSE ARRAY[role] END,
  scopes = CASE role WHEN 'admin' THEN ARRAY['read', 'submit', 'admin']
                     WHEN 'committee' THEN ARRAY['read']
                     ELSE ARRAY['read', 'submit'] END;
ALTER TABLE api_tokens
  ALTER COLUMN owner SET NOT NULL,
  ALTER COLUMN grants SET NOT NULL,
  ALTER COLUMN scopes SET NOT NULL,
  ADD CONSTRAINT api_tokens_owner_check CHECK (length(owner) BETWEEN 1 AND 200),
  -- Each element a grant word (a check cannot loop over an array: the joined text is matched).
  ADD CONSTRAINT api_tokens_grants_check CHECK (
    cardinality(grants) >= 1 AND array_to_string(grants, ',') ~
      '^(admin|committee|stadshus|board:[a-z0-9]+(-[a-z0-9]+)*:(handlaggare|controller|forvaltningschef))(,(admin|committee|stadshus|board:[a-z0-9]+(-[a-z0-9]+)*:(handlaggare|controller|forvaltningschef)))*$'),
  ADD CONSTRAINT api_tokens_scopes_check CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['read', 'submit', 'admin']),
  DROP COLUMN role;

-- Down Migration
ALTER TABLE api_tokens ADD COLUMN role text;
-- A token with grants no old role expresses becomes its board's token, or the committee's.
UPDATE api_tokens SET role = CASE
  WHEN 'admin' = ANY (grants) THEN 'admin'
  WHEN grants[1] LIKE 'board:%' THEN 'board:' || split_part(grants[1], ':', 2)
  ELSE 'committee' END;
ALTER TABLE api_tokens
  ALTER COLUMN role SET NOT NULL,
  ADD CONSTRAINT api_tokens_role_check CHECK (role ~ '^(admin|committee|board:[a-z0-9]+(-[a-z0-9]+)*)$'),
  DROP COLUMN owner,
  DROP COLUMN grants,
  DROP COLUMN scopes;
DROP TABLE memberships;
DROP TABLE people;
