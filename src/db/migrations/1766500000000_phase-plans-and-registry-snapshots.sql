-- Up Migration

-- A cycle's plans and registry live here rather than in workflow histories (issue 16): a phase
-- of 2,000 boards planned at ~3 KB a board would pass Temporal's 2 MB payload limit, and the
-- whole registry travelled in every activity call and continue-as-new. Workflows carry the keys
-- and content hashes; activities read the contents. `json`, not `jsonb`: the text comes back as
-- it was hashed and planned, keys in their order.

-- One board's plan in one phase of one cycle (the deliverable workflow's input but for the
-- municipality and year), keyed by its content hash: a replan that plans something else writes
-- another row, and a row a workflow acted on is never changed (the trigger below).
CREATE TABLE phase_plans (
  cycle_workflow_id text        NOT NULL,
  phase_id          text        NOT NULL,
  board_id          text        NOT NULL,
  hash              text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  deliverable       json        NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cycle_workflow_id, phase_id, board_id, hash)
);

-- A registry as a cycle planned with it, by content hash: the same registry is stored once.
CREATE TABLE registry_snapshots (
  hash       text        PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
  registry   json        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Content addressed: changing a row would make its hash lie to the workflows holding it.
CREATE FUNCTION refuse_content_addressed_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable (content addressed by hash)', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER phase_plans_immutable BEFORE UPDATE ON phase_plans
  FOR EACH ROW EXECUTE FUNCTION refuse_content_addressed_update();
CREATE TRIGGER registry_snapshots_immutable BEFORE UPDATE ON registry_snapshots
  FOR EACH ROW EXECUTE FUNCTION refuse_content_addressed_update();

-- Down Migration
DROP TABLE registry_snapshots;
DROP TABLE phase_plans;
DROP FUNCTION refuse_content_addressed_update();
