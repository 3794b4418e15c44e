-- Up Migration

-- A deliverable of a cycle SLK cancelled (started by mistake) is `cancelled`: its workflow
-- recorded why and ended without sending anything more.
ALTER TABLE deliverable_status DROP CONSTRAINT deliverable_status_stage_check;
ALTER TABLE deliverable_status ADD CONSTRAINT deliverable_status_stage_check
  CHECK (stage IN ('planned', 'open', 'submitted', 'returned', 'approved', 'exempt', 'cancelled'));

-- Down Migration
ALTER TABLE deliverable_status DROP CONSTRAINT deliverable_status_stage_check;
ALTER TABLE deliverable_status ADD CONSTRAINT deliverable_status_stage_check
  CHECK (stage IN ('planned', 'open', 'submitted', 'returned', 'approved', 'exempt'));
