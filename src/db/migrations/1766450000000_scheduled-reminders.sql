-- Up Migration

-- Reminders dispatched per instant (issue 16). A deliverable workflow writes the reminders of its
-- current plan here, in the same transaction as the event that adopted the plan; the cycle's
-- reminder dispatcher wakes once per distinct instant and sends every reminder then due in one
-- activity, through the send log (each mail still exactly once, keyed as before) and checked
-- against the deliverable's recorded stage at the moment it is claimed (a moot reminder never
-- goes). The deliverable workflow keeps the state machine; the read model is not touched.
CREATE TABLE scheduled_reminders (
  workflow_id   text        NOT NULL,
  action_id     text        NOT NULL,
  planned_at    timestamptz NOT NULL,
  dispatcher_id text        NOT NULL,
  -- planned: waits for its instant; superseded: a later plan dropped it; the rest are outcomes.
  status        text        NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'superseded', 'sent', 'moot', 'failed', 'expired', 'digest')),
  -- What the mail needs (phase, board, deadline, roles and addresses, expiry), as planned.
  notification  jsonb       NOT NULL,
  scheduled_seq bigint      NOT NULL,
  done_at       timestamptz,
  PRIMARY KEY (workflow_id, action_id, planned_at)
);
CREATE INDEX scheduled_reminders_due_idx ON scheduled_reminders (dispatcher_id, planned_at) WHERE status = 'planned';

-- The last plan each workflow (run) scheduled: an older schedule, committed late, never replaces
-- a newer one (the same rule as the read model's sequence numbers).
CREATE TABLE reminder_schedules (
  workflow_id text   PRIMARY KEY,
  run_id      text,
  seq         bigint NOT NULL
);

-- When each dispatcher next wakes (set by the dispatcher alone) and the earliest instant it was
-- already woken for since: a plan with an earlier reminder wakes it by signal, once, so a burst
-- of deliverables starting at once sends one signal, not one each.
CREATE TABLE reminder_dispatchers (
  id             text        PRIMARY KEY,
  next_wake      timestamptz,
  signalled_wake timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE reminder_dispatchers;
DROP TABLE reminder_schedules;
DROP TABLE scheduled_reminders;
